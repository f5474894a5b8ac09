import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import { NCard, NModal } from 'naive-ui';
import { watchNaiveAria } from '../../../../renderer/src/shell/naive-aria.ts';

let stop: (() => void) | undefined;
let wrapper: ReturnType<typeof mount> | undefined;
afterEach(() => {
  stop?.();
  wrapper?.unmount();
  document.body.innerHTML = '';
});

describe('the ARIA that Naive UI leaves out', () => {
  it("makes a card's title one level-2 heading, and names a modal card by its title, also when it opens later", async () => {
    stop = watchNaiveAria(document.body);
    const open = ref(false);
    wrapper = mount(
      defineComponent({
        setup: () => () => [h(NCard, { title: 'Accounts' }, () => 'body'), h(NModal, { show: open.value, preset: 'card', title: 'New tenant' }, () => 'form')],
      }),
      { attachTo: document.body },
    );
    await flushPromises();
    const headings = () => [...document.body.querySelectorAll('[role="heading"]')].map((e) => `${e.getAttribute('aria-level')} ${e.textContent?.trim()}`);
    expect(headings()).toEqual(['2 Accounts']);
    open.value = true;
    await flushPromises();
    expect(headings()).toEqual(['2 Accounts', '2 New tenant']);
    const dialog = document.body.querySelector('[role="dialog"]')!;
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent?.trim()).toBe('New tenant');
  });
});

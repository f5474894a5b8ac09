import { flushPromises, mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { defineComponent, h, type Component } from 'vue';
import { NDialogProvider, NMessageProvider } from 'naive-ui';

/**
 * Mounts a console component as App.vue would hold it: inside Naive UI's message and dialog
 * providers, with the test's active Pinia. Modals and dialogs teleport to document.body, so the
 * helpers below look there, not in the wrapper.
 */
export function mountInConsole(component: Component, props: Record<string, unknown> = {}) {
  const pinia = getActivePinia();
  if (!pinia) throw new Error('setActivePinia(createPinia()) first');
  const Host = defineComponent({
    setup: () => () => h(NMessageProvider, null, { default: () => h(NDialogProvider, null, { default: () => h(component, props) }) }),
  });
  return mount(Host, { attachTo: document.body, global: { plugins: [pinia] } });
}

export function el<T extends Element = HTMLElement>(selector: string): T {
  const found = document.body.querySelector<T>(selector);
  if (!found) throw new Error(`nothing matches ${selector} in:\n${document.body.innerHTML.slice(0, 2000)}`);
  return found;
}

/** Types into a Naive UI input as a person would: the value, then the input event it listens to. */
export async function fill(selector: string, value: string): Promise<void> {
  const input = el<HTMLInputElement | HTMLTextAreaElement>(selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await flushPromises();
}

export function button(name: string | RegExp): HTMLButtonElement {
  const all = [...document.body.querySelectorAll<HTMLButtonElement>('button')];
  const found = all.find((b) => (typeof name === 'string' ? b.textContent?.trim() === name : name.test(b.textContent ?? '')));
  if (!found) throw new Error(`no button ${String(name)} among: ${all.map((b) => JSON.stringify(b.textContent?.trim())).join(', ')}`);
  return found;
}

export async function click(target: string | RegExp | HTMLElement): Promise<void> {
  const node = target instanceof HTMLElement ? target : button(target);
  node.click();
  await flushPromises();
}

/** What a person reads on the page (teleported content included), whitespace collapsed. */
export const pageText = () => (document.body.textContent ?? '').replace(/\s+/g, ' ');

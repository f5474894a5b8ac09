import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { Task, TaskState } from '../../../../main/contract/tasks.ts';
import TaskProgress from '../../../../renderer/src/features/tasks/TaskProgress.vue';

const task = (state: TaskState, progress: number): Task => ({
  id: '00000000-0000-4000-8000-000000000042',
  type: 'SelfTest',
  state,
  stage: state,
  progress,
  parentId: null,
  createdBy: 'admin',
  created: '2026-11-25T12:00:00.000Z',
  stateChanged: '2026-11-25T12:00:00.000Z',
  changed: '2026-11-25T12:00:00.000Z',
  result: null,
  error: null,
});

let wrapper: ReturnType<typeof mount> | undefined;
afterEach(() => wrapper?.unmount());

describe('TaskProgress', () => {
  it('is a progress bar a screen reader can read, named for its task', () => {
    wrapper = mount(TaskProgress, { props: { task: task('Running', 37) } });
    const bar = wrapper.get('[role="progressbar"]');
    expect(bar.attributes('aria-valuenow')).toBe('37');
    expect(bar.attributes('aria-valuemin')).toBe('0');
    expect(bar.attributes('aria-valuemax')).toBe('100');
    expect(bar.attributes('aria-label')).toBe('Progress of task 00000000-0000-4000-8000-000000000042');
    expect(wrapper.text()).toContain('37%');
  });

  it('moves with the task and takes the colour of its state', async () => {
    wrapper = mount(TaskProgress, { props: { task: task('Running', 10) } });
    expect(wrapper.get('.n-progress').classes()).toContain('n-progress--info');
    expect(wrapper.find('.n-progress-graph-line-fill--processing').exists()).toBe(true);
    await wrapper.setProps({ task: task('Completed', 100) });
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('100');
    expect(wrapper.get('.n-progress').classes()).toContain('n-progress--success');
    expect(wrapper.find('.n-progress-graph-line-fill--processing').exists()).toBe(false);
    await wrapper.setProps({ task: task('Failed', 60) });
    expect(wrapper.get('.n-progress').classes()).toContain('n-progress--error');
    await wrapper.setProps({ task: task('Canceled', 20) });
    expect(wrapper.get('.n-progress').classes()).toContain('n-progress--warning');
  });
});

import { describe, expect, it } from 'vitest';
import { stateAndStage } from '../../renderer/src/features/tasks/task-presentation.ts';

describe('a task\'s state and stage in one line', () => {
  it('shows both while the stage says more than the state', () => {
    expect(stateAndStage({ state: 'Running', stage: 'Uploading the image' })).toBe('Running · Uploading the image');
    expect(stateAndStage({ state: 'Failed', stage: 'Configuring the SVM' })).toBe('Failed · Configuring the SVM');
  });

  it('shows the state once when the stage only repeats it, or there is none', () => {
    expect(stateAndStage({ state: 'Completed', stage: 'Completed' })).toBe('Completed');
    expect(stateAndStage({ state: 'Queued', stage: '' })).toBe('Queued');
  });
});

/**
 * Runs the works given to it one after another, in order of arrival. The tenants' shared folder on
 * the Administration Server is adopted, filled and emptied through one queue, because KSC's
 * AddGroup hands back an existing group: two tasks racing there would both think they made it.
 */
export function createSerialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
export type SerialQueue = ReturnType<typeof createSerialQueue>;

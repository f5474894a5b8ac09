/** The Administration Server simulator, for the CLI's lab and for tests. */
export {
  startKscSimulator,
  type KscSimCall,
  type KscSimFault,
  type KscSimFaultMode,
  type KscSimRight,
  type KscSimSnapshot,
  type KscSimulator,
  type KscSimulatorOptions,
} from './ksc-simulator.ts';

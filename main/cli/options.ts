import { Option } from 'commander';
import { defaultDataDir } from '../store/data-folder.ts';

export const dataOption = () => new Option('--data <dir>', 'data folder').default(process.env.LIGHTKEEPER_DATA ?? defaultDataDir());

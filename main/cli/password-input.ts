import { readFileSync } from 'node:fs';
import password from '@inquirer/password';

/** A password from a file (for scripts; one trailing newline is dropped) or typed twice at a prompt. */
export async function readPassword(label: string, file: string | undefined, flag: string): Promise<string> {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (!process.stdin.isTTY) {
    throw new Error(`No terminal to ask for the ${label} password: pass ${flag} FILE.`);
  }
  for (;;) {
    const first = await password({ message: `Password for ${label}:`, mask: '*' });
    const again = await password({ message: `Repeat the password for ${label}:`, mask: '*' });
    if (first === again) return first;
    console.error('The two passwords differ; try again.');
  }
}

import { Pool } from 'undici';

export type LabClientOptions = {
  /** https://host:port of the Integration Server. */
  url: string;
  /** The server's certificate (PEM): trusted exactly, as an agent pins its server. */
  ca: string;
  user: string;
  password: string;
  connections?: number;
};

export type LabReply<T> = { status: number; body: T };

/**
 * A real HTTPS client of the Integration Server for the simulators: keep-alive connections through
 * undici, Basic auth, and the server's own certificate as the only trust anchor.
 */
export function createLabClient(options: LabClientOptions) {
  const pool = new Pool(options.url, {
    connections: options.connections ?? 8,
    connect: { ca: options.ca, rejectUnauthorized: true },
  });
  const authorization = 'Basic ' + Buffer.from(`${options.user}:${options.password}`).toString('base64');

  const send = async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: string): Promise<LabReply<T>> => {
    const res = await pool.request({
      method,
      path,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  };

  return {
    /** `body` may be a ready JSON string, so a simulator can serialize a fixed body once. */
    post: <T>(path: string, body: unknown) => send<T>('POST', path, typeof body === 'string' ? body : JSON.stringify(body)),
    get: <T>(path: string) => send<T>('GET', path),
    send: <T>(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown) => send<T>(method, path, JSON.stringify(body)),
    close: () => pool.close(),
  };
}
export type LabClient = ReturnType<typeof createLabClient>;

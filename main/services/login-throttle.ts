import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Failed logins are limited per address and account pair (a password guesser) and per address
 * (one host trying every account). Never per account alone: that would let anyone lock `admin` out.
 */
export type LoginThrottle = {
  /** Milliseconds until this address may try this account again; 0 when it may now. */
  blockedFor(address: string, account: string): Promise<number>;
  /** Whether this address failed within the window: if not, it cannot be blocked (a synchronous answer). */
  failedRecently(address: string): boolean;
  failed(address: string, account: string): Promise<void>;
  succeeded(address: string, account: string): Promise<void>;
};

export type ThrottleLimits = { perPair: number; perAddress: number; windowSeconds: number };
export const DEFAULT_THROTTLE: ThrottleLimits = { perPair: 10, perAddress: 50, windowSeconds: 300 };

export function createLoginThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE): LoginThrottle {
  const pairs = new RateLimiterMemory({ keyPrefix: 'pair', points: limits.perPair, duration: limits.windowSeconds });
  const addresses = new RateLimiterMemory({ keyPrefix: 'addr', points: limits.perAddress, duration: limits.windowSeconds });
  const pairKey = (address: string, account: string) => `${address}\u0000${account}`;
  const waitOf = async (limiter: RateLimiterMemory, key: string, points: number) => {
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? res.msBeforeNext : 0;
  };
  // Addresses with a failure in the current window: the common case, a client that has never
  // failed, then costs one Set lookup instead of two limiter reads on every request.
  const suspects = new Map<string, number>();
  const failedRecently = (address: string): boolean => {
    const since = suspects.get(address);
    if (since === undefined) return false;
    if (Date.now() - since > limits.windowSeconds * 1000 * 2) {
      suspects.delete(address);
      return false;
    }
    return true;
  };
  return {
    failedRecently,
    async blockedFor(address, account) {
      if (!failedRecently(address)) return 0;
      return Math.max(
        await waitOf(pairs, pairKey(address, account), limits.perPair),
        await waitOf(addresses, address, limits.perAddress),
      );
    },
    async failed(address, account) {
      suspects.set(address, Date.now());
      await Promise.all([pairs.penalty(pairKey(address, account)), addresses.penalty(address)]);
    },
    async succeeded(address, account) {
      await pairs.delete(pairKey(address, account));
    },
  };
}

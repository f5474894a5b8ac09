import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Failed logins are limited per address and account pair (a password guesser) and per address
 * (one host trying every account). Never per account alone: that would let anyone lock `admin` out.
 */
export type LoginThrottle = {
  /** Milliseconds until this address may try this account again; 0 when it may now. */
  blockedFor(address: string, account: string): Promise<number>;
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
  return {
    async blockedFor(address, account) {
      return Math.max(
        await waitOf(pairs, pairKey(address, account), limits.perPair),
        await waitOf(addresses, address, limits.perAddress),
      );
    },
    async failed(address, account) {
      await Promise.all([pairs.penalty(pairKey(address, account)), addresses.penalty(address)]);
    },
    async succeeded(address, account) {
      await pairs.delete(pairKey(address, account));
    },
  };
}

import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/http/address-key.js';

describe('the address a budget counts', () => {
  it('keeps IPv4 addresses, and takes IPv4-mapped IPv6 ones as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('takes an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:0:12::/64';
    for (const ip of ['2001:db8:0:12::1', '2001:0db8:0000:0012:ffff:ffff:ffff:ffff', '2001:DB8::12:0:0:0:1', '2001:db8:0:12:1::']) {
      expect(addressKey(ip), ip).toBe(key);
    }
    expect(addressKey('2001:db8:0:13::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8:0:12::1.2.3.4')).toBe(key);
  });
});

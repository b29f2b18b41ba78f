import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/core/errors.ts';

describe('loadConfig', () => {
  it('gives embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1', trustProxy: 0 });
    expect(config.signIn).toEqual({ failureLimit: 10, windowMs: 60_000 });
    expect(config.mongodbUri).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.wecom).toBeUndefined();
    expect(config.llm).toBeUndefined();
    expect(config.surveyTimeZone).toBe('Asia/Shanghai');
    expect(config.wecomApiBase).toBe('https://qyapi.weixin.qq.com');
    // The callback replay window is on unless turned off explicitly.
    expect(config.wecomMaxSkewSeconds).toBe(300);
    expect(loadConfig({ WECOM_MAX_SKEW_S: '0' }).wecomMaxSkewSeconds).toBe(0);
  });

  it('treats empty strings as unset, so .env.example loads as it is', () => {
    const example = Object.fromEntries(
      readFileSync('.env.example', 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(Object.keys(example)).toContain('WECOM_ENCODING_AES_KEY');
    expect(() => loadConfig(example)).not.toThrow();
  });

  it('reads WEBHOOK_ALLOW_HOSTS as names, addresses and ranges, and refuses anything else', () => {
    expect(loadConfig({}).webhooks.allowHosts).toEqual([]);
    expect(loadConfig({ WEBHOOK_ALLOW_HOSTS: ' crm.internal, 10.1.2.3 ,10.1.0.0/16,[fd00::1],' }).webhooks.allowHosts).toEqual(['crm.internal', '10.1.2.3', '10.1.0.0/16', '[fd00::1]']);
    expect(() => loadConfig({ WEBHOOK_ALLOW_HOSTS: 'http://crm.internal/hooks' })).toThrow(/WEBHOOK_ALLOW_HOSTS: must be host names, IP addresses or CIDR ranges/);
  });

  it('reads REDIS_CLUSTER_NODES as host:port pairs, and refuses it beside REDIS_URL', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379,redis-b.internal:6380' }).redisClusterNodes).toBe('10.0.0.1:6379,redis-b.internal:6380');
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:6379' })).toThrow(/REDIS_CLUSTER_NODES: must be host:port pairs/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', REDIS_URL: 'redis://10.0.0.1:6379' })).toThrow(/REDIS_CLUSTER_NODES: set REDIS_URL .* or REDIS_CLUSTER_NODES .*, not both/);
  });

  it('names every bad variable and what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', SURVEY_TIMEZONE: 'Mars/Olympus', ADMIN_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/MONGODB_URI: must start with mongodb:\/\//);
    expect(message).toMatch(/SURVEY_TIMEZONE: must be an IANA time zone/);
    expect(message).toMatch(/ADMIN_TOKEN: must be at least 16 characters/);
  });

  it('refuses a non-loopback HOST while the unauthenticated simulator stands in for WeCom, unless allowed', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'huifang.example.com']) {
      expect(() => loadConfig({ HOST: host })).toThrow(new RegExp(`HOST: ${host.replace(/\./g, '\\.')} is not a loopback address.*SIMULATOR_ALLOW_REMOTE=true`));
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) expect(loadConfig({ HOST: host }).http.host).toBe(host);
    expect(loadConfig({ HOST: '0.0.0.0', SIMULATOR_ALLOW_REMOTE: 'true' }).http.host).toBe('0.0.0.0');
    const wecom = { WECOM_CORP_ID: 'ww123', WECOM_TOKEN: 'tok', WECOM_ENCODING_AES_KEY: 'a'.repeat(43), WECOM_KF_SECRET: 's' };
    expect(loadConfig({ HOST: '0.0.0.0', ...wecom }).http.host).toBe('0.0.0.0');
  });

  it('reads the campaign settings: a whsec_ events secret, a long link secret, the fatigue window', () => {
    expect(loadConfig({}).campaigns).toEqual({ fatigueDays: 30 });
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const config = loadConfig({ EVENTS_SIGNING_SECRET: secret, CAMPAIGN_LINK_SECRET: 'x'.repeat(32), CAMPAIGN_FATIGUE_DAYS: '14', WECOM_OPEN_KFID: 'wkABC', WECOM_CONTACT_SECRET: 's' });
    expect(config.campaigns).toEqual({ eventsSigningSecret: secret, linkSecret: 'x'.repeat(32), fatigueDays: 14, openKfId: 'wkABC', contactSecret: 's' });
    for (const [name, value] of [
      ['EVENTS_SIGNING_SECRET', 'not-a-whsec'],
      ['EVENTS_SIGNING_SECRET', 'whsec_short'],
      ['CAMPAIGN_LINK_SECRET', 'too-short'],
      ['CAMPAIGN_FATIGUE_DAYS', '0'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), name).toThrow(new RegExp(name));
    }
  });

  it('requires all four WeCom credentials together', () => {
    expect(() => loadConfig({ WECOM_CORP_ID: 'ww123' })).toThrow(/WECOM_TOKEN: is required when WECOM_CORP_ID is set/);
    const config = loadConfig({
      WECOM_CORP_ID: 'ww123',
      WECOM_TOKEN: 'tok',
      WECOM_ENCODING_AES_KEY: 'a'.repeat(43),
      WECOM_KF_SECRET: 's',
    });
    expect(config.wecom?.corpId).toBe('ww123');
  });

  it('enables the LLM only with an API key and returns a frozen object', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(config.llm).toMatchObject({ apiKey: 'sk-x', baseUrl: 'http://127.0.0.1:9/v1', model: 'deepseek-chat' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });
});

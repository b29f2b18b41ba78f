import { z } from 'zod';
import { ConfigError } from './core/errors.ts';
import { isAllowListEntry } from './core/networkAddress.ts';

/**
 * The only module that reads `process.env`. `loadConfig()` validates every variable with zod
 * and returns a frozen, typed object; a missing or malformed variable stops start-up with a
 * message naming it. Empty strings count as unset, so `.env.example` can list every name.
 */

const optionalString = z.string().trim().min(1).optional();
const optionalUrl = z.string().trim().url().optional();

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    /** The built-in simulator has no authentication: off loopback only when asked for. */
    SIMULATOR_ALLOW_REMOTE: z.enum(['true', 'false', '1', '0']).default('false'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().trim().min(1).default('.data'),

    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    REDIS_URL: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    /** Seed nodes of a Redis Cluster (`host:port,host:port,…`); replaces REDIS_URL. */
    REDIS_CLUSTER_NODES: z
      .string()
      .trim()
      .regex(/^[^\s,:]+:\d{1,5}(,\s*[^\s,:]+:\d{1,5})*$/, 'must be host:port pairs, comma-separated')
      .optional(),
    /** Prefix for every Redis key, so several environments can share one Redis. */
    REDIS_KEY_PREFIX: z.string().trim().regex(/^[a-z0-9:_-]+$/i).default('hf:dev:'),

    ADMIN_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),

    WECOM_CORP_ID: optionalString,
    WECOM_TOKEN: optionalString,
    WECOM_ENCODING_AES_KEY: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9]{43}$/, 'must be the 43-character EncodingAESKey from the WeCom console')
      .optional(),
    WECOM_KF_SECRET: optionalString,
    WECOM_API_BASE: z.string().trim().url().default('https://qyapi.weixin.qq.com'),
    WECOM_ROBOT_WEBHOOK: optionalUrl,
    /** Callback replay window: older or newer timestamps, and repeats within it, are refused; 0 = off. */
    WECOM_MAX_SKEW_S: z.coerce.number().int().min(0).default(300),
    /** Self-built app that messages the chosen advisor (message/send); both or neither. */
    WECOM_APP_SECRET: optionalString,
    WECOM_AGENT_ID: z.coerce.number().int().positive().optional(),

    /** The kf account (open_kfid) campaigns use when they name none. */
    WECOM_OPEN_KFID: z.string().trim().regex(/^[0-9a-zA-Z_-]{1,64}$/, 'must be an open_kfid such as wkXXXX').optional(),
    /**
     * 客户联系 secret (or a self-built app's under 客户联系 → 可调用应用): campaigns create mass-send
     * tasks for advisors (externalcontact/add_msg_template) and customers' tags are also set in WeCom.
     */
    WECOM_CONTACT_SECRET: optionalString,

    /** Standard Webhooks secret (whsec_ + base64) that merchants sign POST /api/events with. */
    EVENTS_SIGNING_SECRET: z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64 of at least 16 random bytes')
      .optional(),
    /** Signs invitation links (scene_param) and derives invitation ids; unset: generated once and kept in MongoDB. */
    CAMPAIGN_LINK_SECRET: z.string().trim().min(32, 'must be at least 32 characters').optional(),
    /** Nobody is invited more than once within this many days, across campaigns. */
    CAMPAIGN_FATIGUE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Webhook deliveries are retried with backoff this long after their first attempt, then dead-lettered. */
    WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce.number().positive().default(24 * 3600),
    /** First retry delay of a webhook delivery; it doubles up to WEBHOOK_RETRY_MAX_MS. */
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
    WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).default(3_600_000),
    /** A receiver that has not answered within this long counts as failed (and is retried). */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** Personal numbers in webhook payloads: masked (138****5678) unless `full`. */
    WEBHOOK_PII: z.enum(['masked', 'full']).default('masked'),
    /**
     * Internal hosts webhook receivers may be at, comma-separated: names (`crm.internal`), addresses
     * (`10.1.2.3`) or ranges (`10.1.0.0/16`). Everything else inside the network is refused.
     */
    WEBHOOK_ALLOW_HOSTS: z
      .string()
      .trim()
      .transform((list) => list.split(',').map((h) => h.trim()).filter(Boolean))
      .refine((hosts) => hosts.every(isAllowListEntry), 'must be host names, IP addresses or CIDR ranges, comma-separated')
      .default([]),

    /**
     * Reverse proxies in front that append to X-Forwarded-For; 0 = none, the socket's address is
     * the client's (a forged X-Forwarded-For is ignored).
     */
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** Failed sign-ins from one address within the window before 429 AUTH_RATE_LIMITED (3× this per token prefix). */
    AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
    /** The window failed sign-ins are counted in; it starts at the first failure. */
    AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),

    /** Public base URL of this service, for console links in advisor notifications. */
    PUBLIC_URL: optionalUrl,
    /** Notify advisors again when nobody replied to an escalation after this many minutes. */
    ESCALATION_RENOTIFY_MINUTES: z.coerce.number().positive().default(15),
    /** How long a detractor may take to say why before the hand-over goes ahead; 0 = hand over at once. */
    ESCALATION_REASON_WAIT_MINUTES: z.coerce.number().min(0).default(10),
    /** Below this many NPS responses the dashboard shows "not enough responses" instead of a score. */
    ANALYTICS_MIN_RESPONSES: z.coerce.number().int().min(1).default(30),
    /** Days a session's words (transcript, free-text answers) and the customer's identity are kept; scores stay. */
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    /**
     * The same for sessions handed to a person. Default three years: the limitation period for
     * civil claims (民法典 第188条), so a complaint's own words outlive any dispute about it.
     */
    ESCALATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(1095),

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_MODEL: z.string().trim().min(1).default('deepseek-chat'),
    OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_000),

    SURVEY_TIMEZONE: z
      .string()
      .trim()
      .default('Asia/Shanghai')
      .refine((tz) => isValidTimeZone(tz), 'must be an IANA time zone such as Asia/Shanghai'),
    DEFAULT_FLOW_ID: z.string().trim().min(1).default('nps-default'),
    FLOWS_DIR: z.string().trim().min(1).default('flows'),
  })
  .superRefine((env, ctx) => {
    const wecom = ['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'WECOM_KF_SECRET'] as const;
    const set = wecom.filter((k) => env[k] !== undefined);
    if (set.length > 0 && set.length < wecom.length) {
      for (const k of wecom.filter((k) => env[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `is required when ${set.join(', ')} is set` });
      }
    }
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both' });
    }
    const simulator = set.length === 0;
    if (simulator && !isLoopbackHost(env.HOST) && !['true', '1'].includes(env.SIMULATOR_ALLOW_REMOTE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOST'],
        message:
          `${env.HOST} is not a loopback address, and without WECOM_* credentials the built-in WeCom simulator would ` +
          'serve its unauthenticated chat page and fake WeCom API there; listen on 127.0.0.1, set the WeCom credentials, ' +
          'or set SIMULATOR_ALLOW_REMOTE=true',
      });
    }
    if ((env.WECOM_APP_SECRET === undefined) !== (env.WECOM_AGENT_ID === undefined)) {
      const missing = env.WECOM_APP_SECRET === undefined ? 'WECOM_APP_SECRET' : 'WECOM_AGENT_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'WECOM_APP_SECRET and WECOM_AGENT_ID go together' });
    }
  });

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: reachable from this machine only. */
function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(h);
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  http: { port: number; host: string; trustProxy: number };
  /** The sign-in brake: failures per address (per token prefix: 3×) within the window. */
  signIn: { failureLimit: number; windowMs: number };
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  mongodbUri?: string;
  redisUrl?: string;
  /** A Redis Cluster's seed nodes (`host:port,…`), used instead of redisUrl. */
  redisClusterNodes?: string;
  redisKeyPrefix: string;
  adminToken?: string;
  /** Set when all four WeCom credentials are; otherwise the built-in simulator is used. */
  wecom?: { corpId: string; token: string; encodingAesKey: string; kfSecret: string };
  wecomApiBase: string;
  wecomRobotWebhook?: string;
  wecomMaxSkewSeconds: number;
  /** Set when WECOM_APP_SECRET and WECOM_AGENT_ID are: app messages to the chosen advisor. */
  wecomApp?: { secret: string; agentId: number };
  /** Set when WECOM_CONTACT_SECRET is: tags go to WeCom (客户联系) too. */
  wecomContactSecret?: string;
  webhooks: { retryWindowMs: number; retryBaseMs: number; retryMaxMs: number; timeoutMs: number; pii: 'masked' | 'full'; allowHosts: string[] };
  publicUrl?: string;
  campaigns: {
    /** Default kf account of campaigns (WECOM_OPEN_KFID). */
    openKfId?: string;
    /** 客户联系 secret for mass-send tasks (WECOM_CONTACT_SECRET). */
    contactSecret?: string;
    eventsSigningSecret?: string;
    linkSecret?: string;
    fatigueDays: number;
  };
  escalation: { renotifyMinutes: number; reasonWaitMinutes: number };
  analytics: { minResponses: number };
  /** Retention of words and identity (issue 15): sessions, and sessions handed to a person. */
  retention: { days: number; escalationDays: number };
  /** Set when OPENAI_API_KEY is; otherwise only the rule-based analyser runs. */
  llm?: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number };
  surveyTimeZone: string;
  defaultFlowId: string;
  flowsDir: string;
}

/**
 * Parses an environment (default `process.env`) into a frozen Config.
 *
 * @example
 * const config = loadConfig(); // throws ConfigError naming every bad variable
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join('\n')}`, {
      variables: parsed.error.issues.map((i) => i.path.join('.')),
    });
  }
  const e = parsed.data;
  const config: Config = {
    env: e.NODE_ENV,
    http: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY },
    signIn: { failureLimit: e.AUTH_FAILURE_LIMIT, windowMs: e.AUTH_FAILURE_WINDOW_SECONDS * 1000 },
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    mongodbUri: e.MONGODB_URI,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    adminToken: e.ADMIN_TOKEN,
    wecom:
      e.WECOM_CORP_ID && e.WECOM_TOKEN && e.WECOM_ENCODING_AES_KEY && e.WECOM_KF_SECRET
        ? { corpId: e.WECOM_CORP_ID, token: e.WECOM_TOKEN, encodingAesKey: e.WECOM_ENCODING_AES_KEY, kfSecret: e.WECOM_KF_SECRET }
        : undefined,
    wecomApiBase: e.WECOM_API_BASE,
    wecomRobotWebhook: e.WECOM_ROBOT_WEBHOOK,
    wecomMaxSkewSeconds: e.WECOM_MAX_SKEW_S,
    wecomApp: e.WECOM_APP_SECRET && e.WECOM_AGENT_ID ? { secret: e.WECOM_APP_SECRET, agentId: e.WECOM_AGENT_ID } : undefined,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    campaigns: {
      openKfId: e.WECOM_OPEN_KFID,
      contactSecret: e.WECOM_CONTACT_SECRET,
      eventsSigningSecret: e.EVENTS_SIGNING_SECRET,
      linkSecret: e.CAMPAIGN_LINK_SECRET,
      fatigueDays: e.CAMPAIGN_FATIGUE_DAYS,
    },
    wecomContactSecret: e.WECOM_CONTACT_SECRET,
    webhooks: {
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_SECONDS * 1000,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_BASE_MS, e.WEBHOOK_RETRY_MAX_MS),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      pii: e.WEBHOOK_PII,
      allowHosts: e.WEBHOOK_ALLOW_HOSTS,
    },
    escalation: { renotifyMinutes: e.ESCALATION_RENOTIFY_MINUTES, reasonWaitMinutes: e.ESCALATION_REASON_WAIT_MINUTES },
    analytics: { minResponses: e.ANALYTICS_MIN_RESPONSES },
    retention: { days: e.RETENTION_DAYS, escalationDays: e.ESCALATION_RETENTION_DAYS },
    llm: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS }
      : undefined,
    surveyTimeZone: e.SURVEY_TIMEZONE,
    defaultFlowId: e.DEFAULT_FLOW_ID,
    flowsDir: e.FLOWS_DIR,
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}

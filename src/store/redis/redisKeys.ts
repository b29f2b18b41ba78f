/**
 * Every Redis key name the service uses, built in one place so the layout is visible and no two
 * modules collide. All keys start with the configured prefix (e.g. `hf:prod:`).
 *
 * With `hashTags` (a Redis Cluster), keys that one script or transaction touches together carry
 * the same hash tag `{group}` after the prefix, so they land in one slot: the inbox lists with
 * their waiting index, the timers' two structures, everything a campaign gate reads, the robot
 * outbox with its once-markers, the kf notification counters, the follow-up task indexes, the
 * sign-in brake, and BullMQ's keys. A flow's analytics keys always carry `{flowId}`. Keys used
 * alone (locks, dedupe marks, session pointers and revisions, …) stay untagged and spread over
 * the cluster. Without `hashTags` the names are the same as before clusters were supported, so
 * a single Redis keeps its data.
 */
export function redisKeys(prefix: string, options: { hashTags?: boolean } = {}) {
  /** The hash tag of a group of keys used together, or nothing on a single Redis. */
  const slot = (group: string) => (options.hashTags ? `{${group}}` : '');
  const inbox = `${prefix}${slot('inbox')}`;
  const timers = `${prefix}${slot('timers')}`;
  const campaign = `${prefix}${slot('campaign')}campaign:`;
  const escalation = `${prefix}${slot('escalation')}escalation:`;
  const notify = `${prefix}${slot('wecom-notify')}wecom:`;
  const followUp = `${prefix}${slot('followup')}followup:`;
  return {
    prefix,
    dedupe: (scope: string, id: string) => `${prefix}dedupe:${scope}:${id}`,
    lock: (name: string) => `${prefix}lock:${name}`,
    /** Failed sign-ins in the current window, per subject (`ip:<address>` or `token:<hash>`). */
    signInFailures: (subject: string) => `${prefix}${slot('signin')}signin-fail:${subject}`,
    wecomToken: (corpId: string, secretHash: string) => `${prefix}wecom:token:${corpId}:${secretHash}`,
    wecomCursor: (openKfId: string) => `${prefix}wecom:cursor:${openKfId}`,
    wecomBudget: (conversation: string) => `${prefix}wecom:budget:${conversation}`,
    /** Marks an inbound WeCom message id as handed on to the conversation layer. */
    wecomHandled: (messageId: string) => `${prefix}wecom:handled:${messageId}`,
    /** A signed callback accepted within the replay window, by a hash of its timestamp and nonce. */
    wecomNonce: (hash: string) => `${prefix}wecom:nonce:${hash}`,
    /** Counter of kf "new data" callbacks per open_kfid, and how far a finished pull covers it. */
    wecomNotifySeq: (account: string) => `${notify}notify:${account}:seq`,
    wecomNotifyCovered: (account: string) => `${notify}notify:${account}:covered`,
    /** Every kf account a notification was counted for (the periodic pull check reads it). */
    wecomAccounts: `${notify}accounts`,
    inbox: (conversation: string) => `${inbox}inbox:${conversation}`,
    /** Conversations with waiting inbox items, scored by when they last had attention. */
    inboxWaiting: `${inbox}inbox-waiting`,
    /** Conversation → "<head item id>|<failures>", to tell a poison item from a passing outage. */
    inboxFailures: `${inbox}inbox-failures`,
    /** Session id → the revision whose outbox was fully carried out. */
    outboxDone: (sessionId: string) => `${prefix}outbox-done:${sessionId}`,
    /** Named timers: due time (sorted set) and payload (hash). */
    timersDue: `${timers}timers:due`,
    timersPayload: `${timers}timers:payload`,
    session: (conversation: string) => `${prefix}session:${conversation}`,
    /** A session's latest revision, as the FerretDB update path last wrote it (see redisRevisions.ts). */
    sessionRev: (sessionId: string) => `${prefix}session-rev:${sessionId}`,
    /** Round-robin counter for picking an escalation's advisor, per scope (flow id). */
    escalationTurn: (scope: string) => `${escalation}rr:${scope}`,
    /** Robot notification sections waiting to be sent (a list, oldest first). */
    escalationRobotOutbox: `${escalation}robot:outbox`,
    /** Marks one robot section (escalation and round) as queued, so a retried job does not queue it again. */
    escalationRobotQueued: (onceKey: string) => `${escalation}robot:queued:${onceKey}`,
    /** Sliding-window send log of one rate-limited target (a sorted set of send times). */
    escalationRateWindow: (name: string) => `${escalation}rate:${name}`,
    /**
     * Analytics rollups of one flow (see redisRollups.ts for the layout under it). The braces are
     * a Redis Cluster hash tag: every key of a flow lands in one slot, as its Lua script needs.
     */
    analytics: (flowId: string) => `${prefix}an:{${flowId}}:`,
    /** Campaigns: consent (identity → opted out), per-identity fatigue, per-campaign counters and caps. */
    campaignPrefix: campaign,
    campaignConsent: `${campaign}consent`,
    campaignCounters: (campaignId: string) => `${campaign}c:${campaignId}:counters`,
    campaignMarks: (campaignId: string) => `${campaign}c:${campaignId}:marks`,
    campaignCap: (campaignId: string, day: string) => `${campaign}c:${campaignId}:cap:${day}`,
    campaignClaim: (invitationId: string) => `${campaign}claim:${invitationId}`,
    campaignLinks: (conversation: string) => `${campaign}links:${conversation}`,
    campaignOnce: (key: string) => `${campaign}once:${key}`,
    campaignEvent: (eventId: string) => `${campaign}event:${eventId}`,
    /** Campaign timers (mass sends, unopened reminders): due times and payloads, apart from sessions'. */
    campaignTimersDue: `${campaign}timers:due`,
    campaignTimersPayload: `${campaign}timers:payload`,
    /** Follow-up task ids by due time (open and claimed) and by closing time (closed, trimmed). */
    followUpTasksOpen: `${followUp}tasks:open`,
    followUpTasksClosed: `${followUp}tasks:closed`,
    /** Closed tasks whose after-effects (session record, webhook, log) may not all have run. */
    followUpTaskEffects: `${followUp}tasks:effects`,
    /** Webhook delivery ids of one endpoint by creation time (trimmed). */
    webhookDeliveries: (endpointId: string) => `${prefix}webhook:deliveries:${endpointId}`,
    /** WeCom corp tag ids by "<group name>\t<tag name>" (a hash). */
    wecomTagIds: `${prefix}wecom:tag-ids`,
    /** 客户联系: unionid → JSON {externalUserId, userId} (a hash), and when it was last refreshed. */
    wecomContactsByUnionId: `${prefix}wecom:contacts:unionid`,
    wecomContactsRefreshed: `${prefix}wecom:contacts:refreshed`,
    /** BullMQ's own prefix; it appends `:<queue>:...` itself. Tagged, as BullMQ's scripts need on a Cluster. */
    bullPrefix: `${prefix}${slot('bull')}bull`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

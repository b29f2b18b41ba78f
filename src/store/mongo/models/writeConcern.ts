/**
 * Collections whose acknowledged writes carry a customer's answers or words (sessions, their
 * transcripts, analytics records, customers' opt-out): acknowledged only once a majority of a
 * replica set holds them, so a primary lost right after the acknowledgement loses nothing. Bounded
 * so a set without a majority fails the write (the turn is retried) instead of hanging. A
 * standalone server and FerretDB treat it as an ordinary acknowledged write.
 */
export const ANSWER_WRITE_CONCERN = { w: 'majority', wtimeout: 5_000 } as const;

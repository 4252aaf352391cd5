// Moderators' login for the dashboard: a token from the environment, a
// signed session cookie (HttpOnly, SameSite=Strict) naming a session the
// server keeps, and a CSRF token tied to the session in every form that
// changes something. Logging out ends the session on the server, so the
// old cookie is worth nothing. Findings, series and rules need no login;
// the outbox (recipients, reply texts) and approving or rejecting do.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const SESSION_HOURS = 12;
/** Sessions kept at most; beyond it the oldest end first. */
const MAX_SESSIONS = 1000;

function sign(secret: string, value: string): string {
  return createHmac("sha256", secret).update(value).digest("base64url");
}

function equal(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and lengths must not leak either.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

export class DashboardAuth {
  private readonly secret: string;
  /** Live sessions: id → expiry (ms). A cookie whose session is not here is no session. */
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly token: string | undefined,
    secret: string | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.secret = secret || randomBytes(32).toString("hex");
  }

  get enabled(): boolean {
    return !!this.token;
  }

  /** Checks a login token; returns a session cookie value when it is right. */
  login(candidate: unknown): string | undefined {
    if (!this.token || typeof candidate !== "string" || !equal(candidate, this.token)) return undefined;
    const now = this.now().getTime();
    for (const [id, expires] of this.sessions) if (expires < now) this.sessions.delete(id);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const expires = now + SESSION_HOURS * 3600 * 1000;
    const value = `${expires}.${randomBytes(16).toString("base64url")}`;
    this.sessions.set(value, expires);
    return `${value}.${sign(this.secret, value)}`;
  }

  /** The session id of a valid, unexpired cookie whose session has not ended. */
  session(cookie: unknown): string | undefined {
    if (typeof cookie !== "string" || !this.token) return undefined;
    const parts = cookie.split(".");
    if (parts.length !== 3) return undefined;
    const value = `${parts[0]}.${parts[1]}`;
    if (!equal(parts[2]!, sign(this.secret, value))) return undefined;
    const expires = this.sessions.get(value);
    if (expires === undefined) return undefined;
    if (expires < this.now().getTime()) {
      this.sessions.delete(value);
      return undefined;
    }
    return value;
  }

  /** Ends a session: its cookie no longer logs anyone in. */
  logout(session: string): void {
    this.sessions.delete(session);
  }

  csrfToken(session: string): string {
    return sign(this.secret, `csrf:${session}`);
  }

  /** A CSRF field given twice (an array) or not at all is as good as a wrong one. */
  checkCsrf(session: string, candidate: unknown): boolean {
    return typeof candidate === "string" && candidate.length > 0 && equal(candidate, this.csrfToken(session));
  }
}

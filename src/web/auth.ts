// Moderators' login for the dashboard: a token from the environment, a
// signed session cookie (HttpOnly, SameSite=Strict), and a CSRF token tied
// to the session in every form that changes something. Reading the
// dashboard needs no login; approving or rejecting a reply does.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const SESSION_HOURS = 12;

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
  login(candidate: string): string | undefined {
    if (!this.token || !equal(candidate, this.token)) return undefined;
    const expires = this.now().getTime() + SESSION_HOURS * 3600 * 1000;
    const value = `${expires}.${randomBytes(16).toString("base64url")}`;
    return `${value}.${sign(this.secret, value)}`;
  }

  /** The session id of a valid, unexpired cookie. */
  session(cookie: string | undefined): string | undefined {
    if (!cookie || !this.token) return undefined;
    const parts = cookie.split(".");
    if (parts.length !== 3) return undefined;
    const value = `${parts[0]}.${parts[1]}`;
    if (!equal(parts[2]!, sign(this.secret, value))) return undefined;
    if (Number(parts[0]) < this.now().getTime()) return undefined;
    return value;
  }

  csrfToken(session: string): string {
    return sign(this.secret, `csrf:${session}`);
  }

  checkCsrf(session: string, candidate: string | undefined): boolean {
    return !!candidate && equal(candidate, this.csrfToken(session));
  }
}

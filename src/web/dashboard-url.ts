// The dashboard's address as readers reach it, for links in digests and the
// cookie's Secure flag: web.publicUrl when set, else the configured host and
// port (a wildcard host named by this machine's name).
import { hostname } from "node:os";
import type { WebConfig } from "../config/schema.js";

export function dashboardUrl(web: Pick<WebConfig, "publicUrl" | "host" | "port">): string {
  if (web.publicUrl) return web.publicUrl.replace(/\/+$/, "");
  const host = web.host === "0.0.0.0" || web.host === "::" || web.host === "" ? hostname() : web.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${web.port}`;
}

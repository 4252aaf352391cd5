// The page frame shared by every dashboard page: text first, a little CSS,
// no JavaScript.
import { html, SafeHtml } from "../html.js";

// Fits a 390 px phone: wide tables scroll inside their own box, the chart
// shrinks with the screen, a long id or subject breaks where it must.
const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;color:#222;overflow-wrap:break-word}
nav a{margin-right:1rem;display:inline-block}table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto;max-width:100%}svg{max-width:100%;height:auto}input,select{max-width:100%}form.filters label{display:inline-block}
pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}.status{font-weight:600}.open{color:#b35900}.addressed{color:#2e7d32}.replied{color:#1565c0}.held{color:#6a1b9a}
.error{color:#b00020}.warning{color:#b35900}.info{color:#555}form.filters label{margin-right:.6rem}form.inline{display:inline}
.finding{border-left:3px solid #ccc;padding-left:.7rem;margin:.8rem 0}.muted{color:#666}`;

export function layout(title: string, body: SafeHtml, options: { loggedIn?: boolean; loginEnabled?: boolean; csrf?: string } = {}): string {
  const account = options.loggedIn
    ? html`<form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="${options.csrf}"><button>Log out</button></form>`
    : options.loginEnabled
      ? html`<a href="/login">Log in</a>`
      : "";
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · pinwatch</title><style>${new SafeHtml(STYLE)}</style></head>
<body><nav><a href="/"><b>pinwatch</b></a><a href="/">Overview</a><a href="/rules">Rules</a><a href="/outbox">Outbox</a><a href="/digest">Digest</a>${account}</nav>
<h1>${title}</h1>
${body}
<p class="muted">Every finding cites Documentation/core-api/pin_user_pages.rst or another kernel document. JSON: add /api in front of any page's path.</p>
</body></html>`.value;
}

// No URL from a secret may appear in a message: every URL in a text keeps only its scheme and host
// (userinfo, path, query and fragment go: Slack webhook paths, Telegram bot tokens, user:password@).

const URL_RE = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#"'<>]*@)?([^\s/?#"'<>:@]+)(:\d+)?([^\s"'<>]*)/gi;

export function scrubUrls(text: string): string {
  return text.replace(
    URL_RE,
    (_m, scheme: string, _user, host: string, port?: string, rest?: string) =>
      `${scheme}://${host}${port ?? ""}${rest ? "/…" : ""}`,
  );
}

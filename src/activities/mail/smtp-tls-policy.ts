/**
 * What in an SMTP URL would let mail or credentials travel without TLS, or accept anyone's
 * certificate, once the transport requires TLS. Nodemailer reads options from the URL's query
 * and lets them win over the transport's own (`?requireTLS=false` would undo ours), so the URL
 * is where clear text hides. Empty: TLS is certain (smtps://, or smtp:// with STARTTLS required).
 */
export function smtpTlsProblems(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return ['not a URL; use smtps://host:465 or smtp://host:587 (STARTTLS is then required)'];
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    return [`${u.protocol}// is not SMTP with TLS; use smtps://host:465 or smtp://host:587`];
  }
  const q = u.searchParams;
  const problems: string[] = [];
  const secure = q.has('secure') ? truthy(q.get('secure')!) : u.protocol === 'smtps:';
  if (!secure && q.has('requireTLS') && !truthy(q.get('requireTLS')!)) {
    problems.push('requireTLS=false would send mail in clear text when the server offers no STARTTLS');
  }
  if (q.has('ignoreTLS') && truthy(q.get('ignoreTLS')!)) {
    problems.push('ignoreTLS=true asks to send mail in clear text');
  }
  if (q.has('tls.rejectUnauthorized') && !truthy(q.get('tls.rejectUnauthorized')!)) {
    problems.push(
      "tls.rejectUnauthorized=false accepts anyone's certificate; give the CA with tls.ca instead",
    );
  }
  return problems;
}

/** A query value as nodemailer reads it: `false` and numbers equal to 0 are off, the rest on. */
function truthy(value: string): boolean {
  if (value === 'false') return false;
  const n = Number(value);
  return Number.isNaN(n) || n !== 0;
}

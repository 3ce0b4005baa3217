export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function passwordResetMail(link: string, ttlMs: number): RenderedMail {
  const minutes = Math.max(1, Math.round(ttlMs / 60_000));
  return {
    subject: 'Reset your password',
    text:
      `Someone asked to reset the password of your account.\n\n` +
      `Open this link within ${minutes} minutes to choose a new password:\n${link}\n\n` +
      `If it was not you, ignore this mail; your password stays as it is.\n`,
    html:
      `<p>Someone asked to reset the password of your account.</p>` +
      `<p><a href="${escapeHtml(link)}">Choose a new password</a> (valid for ${minutes} minutes).</p>` +
      `<p>If it was not you, ignore this mail; your password stays as it is.</p>`,
  };
}

export function videoReadyMail(videoId: string, storedPath?: string): RenderedMail {
  const where = storedPath ? `\nIt is stored at ${storedPath}.` : '';
  return {
    subject: `Your video ${videoId} is ready`,
    text: `Your video ${videoId} has finished generating.${where}\n`,
    html:
      `<p>Your video <strong>${escapeHtml(videoId)}</strong> has finished generating.</p>` +
      (storedPath ? `<p>It is stored at <code>${escapeHtml(storedPath)}</code>.</p>` : ''),
  };
}

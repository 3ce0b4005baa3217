import { readFileSync } from 'node:fs';

/**
 * The load balancer's configuration for `start:cluster`, from the template that
 * temporal-compose/docker-compose.yml mounts into its nginx too: the same upstream, health
 * checks and retry rules in both places.
 */

export const NGINX_TEMPLATE = new URL('../../deploy/nginx/floodgate.conf.template', import.meta.url).pathname;

/** The line carrying this variable is written once per replica. */
const SERVER_VARIABLE = '${FLOODGATE_API_SERVER}';

export interface NginxSite {
  /** `host:port` nginx listens on. */
  listen: string;
  /** `host:port` of every API replica. */
  servers: string[];
  bodyLimitBytes: number;
}

/** The template's http-context text with the variables filled in. */
export function renderSite(site: NginxSite, template = readFileSync(NGINX_TEMPLATE, 'utf8')): string {
  const lines = template
    .split('\n')
    .flatMap((line) =>
      line.includes(SERVER_VARIABLE) ? site.servers.map((s) => line.replace(SERVER_VARIABLE, s)) : [line],
    );
  const values: Record<string, string> = {
    FLOODGATE_LISTEN: site.listen,
    FLOODGATE_BODY_LIMIT: String(site.bodyLimitBytes),
  };
  const text = lines.join('\n').replace(/\$\{(FLOODGATE_[A-Z_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${NGINX_TEMPLATE}: no value for ${whole}`);
    return value;
  });
  return text;
}

/**
 * The main file around the site: one process in the foreground (`master_process off`), so
 * the supervisor's kill and restart reach all of nginx — a master killed with -9 would leave
 * its workers holding the port — with its pid and temp files under `prefix`.
 */
export function mainConfig(site: string): string {
  return [
    '# Written by start:cluster at each start; edit deploy/nginx/floodgate.conf.template instead.',
    'daemon off;',
    'master_process off;',
    'pid nginx.pid;',
    'error_log stderr warn;',
    'events { worker_connections 4096; }',
    'http {',
    '    client_body_temp_path temp/body;',
    '    proxy_temp_path temp/proxy;',
    '    fastcgi_temp_path temp/fastcgi;',
    '    uwsgi_temp_path temp/uwsgi;',
    '    scgi_temp_path temp/scgi;',
    site,
    '}',
    '',
  ].join('\n');
}

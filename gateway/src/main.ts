#!/usr/bin/env node
import { createApp } from './app.factory';
import { ConfigError, loadGatewayConfig } from './config/gateway-config';

/** Starts the gateway from ECONFIRM_GATEWAY_CONFIG (+ environment overrides). */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'log', context: 'Main', msg: 'listening', url: await app.getUrl() })}\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`econfirm gateway failed to start: ${message}\n`);
  process.exit(1);
});

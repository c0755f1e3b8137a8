// Host functions of xs-tls.c (the mbedTLS engine). Types: tls-native.d.ts; classes: tls.ts.
export function tlsConfig(server, profile, middlebox) @ "xs15118_tls_config";
export function tlsCredentials(config, chain, key, keyForm) @ "xs15118_tls_credentials";
export function tlsAnchor(config, der) @ "xs15118_tls_anchor";
export function tlsConfigFree(config) @ "xs15118_tls_config_free";
export function tlsOpen(config) @ "xs15118_tls_open";
export function tlsFeed(connection, data) @ "xs15118_tls_feed";
export function tlsOutput(connection) @ "xs15118_tls_output";
export function tlsStep(connection) @ "xs15118_tls_step";
export function tlsRead(connection) @ "xs15118_tls_read";
export function tlsWrite(connection, data) @ "xs15118_tls_write";
export function tlsSession(connection) @ "xs15118_tls_session";
export function tlsError(connection) @ "xs15118_tls_error";
export function tlsClose(connection) @ "xs15118_tls_close";
export function tlsFree(connection) @ "xs15118_tls_free";
export function tlsBuild() @ "xs15118_tls_build";
export function tlsVerify(scheme, publicKey, message, signature) @ "xs15118_tls_verify";
export function tlsDigest(algorithm, data) @ "xs15118_tls_digest";
export function tlsStats(restartPeak) @ "xs15118_tls_stats";

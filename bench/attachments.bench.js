/**
 * Attachments (issue 19): upload throughput of 1 MB and 10 MB files through
 * the gateway (multipart → sniffing → 512 KiB chunks over NATS → the
 * conversation service → PostgreSQL bytea rows) beside a raw write of the
 * same bytes to the same store (the same chunk INSERTs straight into
 * conversation.attachment_chunks with `pg`); then the gateway's RSS while
 * BENCH_UPLOAD_PARALLEL uploads of 10 MB stream at once (it must not grow by
 * anything near the sum of the files). Figures are reported, never asserted.
 */
const { Pool } = require('pg');
const { readFileSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const { createTestWidget, startAnonymous, uploadFile, TEST_ORIGIN, TINY_PNG } = require('@widget/testing');

const CHUNK = 512 * 1024;
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 5);
const PARALLEL = Number(process.env.BENCH_UPLOAD_PARALLEL ?? 20);

/** A real 1×1 PNG, then noise after its end: sniffed as PNG, stored whole. */
function pngOf(size) {
  return Buffer.concat([TINY_PNG, randomBytes(size - TINY_PNG.length)]);
}

const rssMb = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
};

async function rawWrite(pool, bytes) {
  const id = `att_RAW${randomBytes(10).toString('hex').toUpperCase()}`;
  for (let seq = 0; seq * CHUNK < bytes.length; seq++) {
    await pool.query('INSERT INTO conversation.attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)', [id, seq, bytes.subarray(seq * CHUNK, (seq + 1) * CHUNK)]);
  }
  await pool.query('DELETE FROM conversation.attachment_chunks WHERE attachment_id = $1', [id]);
}

module.exports = {
  name: 'attachments',
  async run({ stack, log }) {
    const widget = await createTestWidget(stack, { features: { attachments: true } });
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'bench' }, { token: me.token });
    const url = `${stack.baseUrl}/widget/v1/conversations/${conv.body.id}/attachments`;
    const pool = new Pool({ connectionString: stack.databaseUrl, max: 4 });
    const figures = {};
    try {
      for (const mb of [1, 10]) {
        const bytes = pngOf(mb * 1024 * 1024);
        let upload = 0;
        let raw = 0;
        // Alternating rounds, so a neighbour's burst of load falls on both sides.
        for (let round = 0; round < ROUNDS; round++) {
          let t = process.hrtime.bigint();
          const res = await uploadFile(url, { name: `f${mb}.png`, bytes }, { token: me.token, origin: TEST_ORIGIN });
          if (res.status !== 201) throw new Error(`upload ${res.status} ${res.text}`);
          upload += Number(process.hrtime.bigint() - t) / 1e9;
          t = process.hrtime.bigint();
          await rawWrite(pool, bytes);
          raw += Number(process.hrtime.bigint() - t) / 1e9;
        }
        const mbps = (seconds) => Math.round(((mb * ROUNDS) / seconds) * 10) / 10;
        figures[`upload_${mb}mb_MBps`] = mbps(upload);
        figures[`raw_${mb}mb_MBps`] = mbps(raw);
        figures[`ratio_${mb}mb`] = Math.round((raw / upload) * 100) / 100;
        log(`${mb} MB: through the gateway ${mbps(upload)} MB/s, raw chunk INSERTs ${mbps(raw)} MB/s`);
      }

      const gatewayPid = stack.gateway.process.pid;
      const ten = pngOf(10 * 1024 * 1024);
      const before = rssMb(gatewayPid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(gatewayPid))), 50);
      const started = process.hrtime.bigint();
      const results = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => uploadFile(url, { name: `p${i}.png`, bytes: ten }, { token: me.token, origin: TEST_ORIGIN })));
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const ok = results.filter((r) => r.status === 201).length;
      Object.assign(figures, {
        parallel_uploads: PARALLEL,
        parallel_ok: ok,
        parallel_seconds: Math.round(seconds * 10) / 10,
        gateway_rss_before_mb: before,
        gateway_rss_peak_mb: peak,
        gateway_rss_growth_mb: peak - before,
        sum_of_files_mb: PARALLEL * 10,
      });
      log(`${PARALLEL} × 10 MB at once: ${ok} stored in ${seconds.toFixed(1)} s; gateway RSS ${before} → peak ${peak} MB (files: ${PARALLEL * 10} MB)`);
    } finally {
      await pool.end();
    }
    return figures;
  },
};

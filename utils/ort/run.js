#!/usr/bin/env node
// ONNX Runtime oracle for the onnx-compile end-to-end tests.
//
// Usage: node utils/ort/run.js MANIFEST.json
//
// MANIFEST.json:
//   { "model": "/abs/model.onnx",
//     "threads": 1,                     // intraOpNumThreads (default 1)
//     "optLevel": "all",                // graphOptimizationLevel (default 'all')
//     "inputs":  [ { "name": "x", "dtype": "float32", "shape": [1, 3],
//                    "file": "/abs/in0.bin" } ],      // raw little-endian bytes
//     "outputs": [ { "name": "y", "file": "/abs/out0.bin" } ] }
//                   // optional; default: every model output, written as
//                   // MANIFEST.json.out<K>.bin
// dtype names: float32 float64 float16 int8 int16 int32 int64 uint8 uint16
// uint32 uint64 bool (bool = one byte per element).
//
// Writes each output as raw bytes and a result manifest MANIFEST.json.out.json:
//   { "outputs": [ { "name", "dtype", "shape", "file" } ] }
// With "timing": {"samples": S, "repeat": R} in the manifest, the model
// also runs S samples of R calls each (after one warm-up call and R/10
// more, for at least 50 ms) and the
// result manifest gets "sample_ms": the mean milliseconds per call of each
// sample (bench/run.py interleaves these with the compiled object's).
// Exit codes: 0 ok, 1 error (message on stderr).
'use strict';

const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  process.stderr.write('error: cannot load onnxruntime-node (run `npm ci --ignore-scripts` ' +
                       'in utils/ort): ' + e.message + '\n');
  process.exit(1);
}

const TYPED = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

function readTyped(file, dtype) {
  const Ctor = TYPED[dtype];
  if (!Ctor) throw new Error('unsupported input dtype ' + dtype);
  const buf = fs.readFileSync(file);
  // Copy into a fresh, aligned ArrayBuffer.
  const ab = new ArrayBuffer(buf.byteLength);
  new Uint8Array(ab).set(buf);
  if (buf.byteLength % Ctor.BYTES_PER_ELEMENT !== 0)
    throw new Error(`${file}: ${buf.byteLength} bytes is not a multiple of ${dtype}`);
  return new Ctor(ab);
}

function tensorBytes(t) {
  const d = t.data;
  if (Array.isArray(d)) throw new Error('unsupported output type ' + t.type);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

async function main() {
  const manifestPath = process.argv[2];
  if (!manifestPath) {
    process.stderr.write('usage: node run.js MANIFEST.json\n');
    process.exit(1);
  }
  const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const opts = {
    graphOptimizationLevel: m.optLevel || 'all',
    intraOpNumThreads: m.threads || 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  const session = await ort.InferenceSession.create(m.model, opts);
  const feeds = {};
  for (const inp of m.inputs || []) {
    const data = readTyped(inp.file, inp.dtype);
    const n = inp.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n)
      throw new Error(`input ${inp.name}: ${data.length} elements, shape ${JSON.stringify(inp.shape)}`);
    feeds[inp.name] = new ort.Tensor(inp.dtype, data, inp.shape);
  }
  let outs = m.outputs;
  if (!outs || outs.length === 0)
    outs = session.outputNames.map((name, k) => ({name, file: `${manifestPath}.out${k}.bin`}));
  const results = await session.run(feeds, outs.map((o) => o.name));
  const sampleMs = [];
  if (m.timing) {
    // Warm-up: a tenth of a sample more, and at least 50 ms, so that every
    // core the session uses is running before the clock starts (as the C
    // driver does).
    const warmStart = process.hrtime.bigint();
    for (let r = 0; r < Math.floor((m.timing.repeat || 1) / 10) ||
         process.hrtime.bigint() - warmStart < 50000000n; ++r)
      await session.run(feeds);
    for (let s = 0; s < (m.timing.samples || 1); ++s) {
      const start = process.hrtime.bigint();
      for (let r = 0; r < (m.timing.repeat || 1); ++r)
        await session.run(feeds);
      const ns = Number(process.hrtime.bigint() - start);
      sampleMs.push(ns / 1e6 / (m.timing.repeat || 1));
    }
  }
  const written = [];
  for (const o of outs) {
    const t = results[o.name];
    if (!t) throw new Error('missing output ' + o.name);
    fs.writeFileSync(o.file, tensorBytes(t));
    written.push({name: o.name, dtype: t.type, shape: t.dims.map(Number), file: o.file});
  }
  fs.writeFileSync(manifestPath + '.out.json',
                   JSON.stringify({outputs: written, sample_ms: sampleMs}, null, 1));
  if (typeof session.release === 'function') await session.release();
}

main().catch((e) => {
  process.stderr.write('error: ' + (e && e.message ? e.message : String(e)) + '\n');
  process.exit(1);
});

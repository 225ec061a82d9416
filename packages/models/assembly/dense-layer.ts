/**
 * AssemblyScript: a dense layer of the neural network's forward pass over a batch of rows (see
 * `src/neural/mlp-network.ts` for the JavaScript side). Compiled to WebAssembly by `scripts/compile-kernels.ts`;
 * every pointer is a byte offset into the kernel's memory, every buffer float64 and row-major.
 *
 * Two outputs share one 128-bit vector, four rows are computed together, and each sum still runs over the
 * inputs in order with a multiply then an add (no fused multiply-add): every value is the scalar loop's
 * `bias[j] + x[0]·k[0][j] + x[1]·k[1][j] + …`, bit for bit.
 */

/**
 * `output[r][j] = bias[j] + Σ_i input[r][i] · kernel[i][j]` for rows `0..rows`: `input` is rows x `inputs`,
 * `kernel` is `inputs` x `outputs` (TensorFlow's layout), `bias` has `outputs` values, `output` is rows x `outputs`.
 */
export function denseLayer(input: usize, rows: i32, inputs: i32, kernel: usize, bias: usize, outputs: i32, output: usize): void {
  const inBytes = <usize>inputs << 3;
  const outBytes = <usize>outputs << 3;
  const wide = outputs & ~3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = input + <usize>r * inBytes;
    const x1 = x0 + inBytes;
    const x2 = x1 + inBytes;
    const x3 = x2 + inBytes;
    const o0 = output + <usize>r * outBytes;
    for (let j = 0; j < wide; j += 4) {
      const jb = <usize>j << 3;
      const b01 = v128.load(bias + jb);
      const b23 = v128.load(bias + jb, 16);
      let a0l = b01;
      let a0h = b23;
      let a1l = b01;
      let a1h = b23;
      let a2l = b01;
      let a2h = b23;
      let a3l = b01;
      let a3h = b23;
      let k = kernel + jb;
      for (let i: usize = 0; i < inBytes; i += 8) {
        const kl = v128.load(k);
        const kh = v128.load(k, 16);
        const v0 = f64x2.splat(load<f64>(x0 + i));
        const v1 = f64x2.splat(load<f64>(x1 + i));
        const v2 = f64x2.splat(load<f64>(x2 + i));
        const v3 = f64x2.splat(load<f64>(x3 + i));
        a0l = f64x2.add(a0l, f64x2.mul(v0, kl));
        a0h = f64x2.add(a0h, f64x2.mul(v0, kh));
        a1l = f64x2.add(a1l, f64x2.mul(v1, kl));
        a1h = f64x2.add(a1h, f64x2.mul(v1, kh));
        a2l = f64x2.add(a2l, f64x2.mul(v2, kl));
        a2h = f64x2.add(a2h, f64x2.mul(v2, kh));
        a3l = f64x2.add(a3l, f64x2.mul(v3, kl));
        a3h = f64x2.add(a3h, f64x2.mul(v3, kh));
        k += outBytes;
      }
      v128.store(o0 + jb, a0l);
      v128.store(o0 + jb, a0h, 16);
      v128.store(o0 + outBytes + jb, a1l);
      v128.store(o0 + outBytes + jb, a1h, 16);
      v128.store(o0 + 2 * outBytes + jb, a2l);
      v128.store(o0 + 2 * outBytes + jb, a2h, 16);
      v128.store(o0 + 3 * outBytes + jb, a3l);
      v128.store(o0 + 3 * outBytes + jb, a3h, 16);
    }
    for (let t = 0; t < 4; t++) narrowOutputs(input + <usize>(r + t) * inBytes, inBytes, kernel, bias, wide, outputs, o0 + <usize>t * outBytes);
  }
  for (; r < rows; r++) narrowOutputs(input + <usize>r * inBytes, inBytes, kernel, bias, 0, outputs, output + <usize>r * outBytes);
}

/** Outputs `from..outputs` of one row, one at a time (the outputs left over by the groups of four, or a last row). */
function narrowOutputs(x: usize, inBytes: usize, kernel: usize, bias: usize, from: i32, outputs: i32, out: usize): void {
  const outBytes = <usize>outputs << 3;
  for (let j = from; j < outputs; j++) {
    const jb = <usize>j << 3;
    let sum = load<f64>(bias + jb);
    let k = kernel + jb;
    for (let i: usize = 0; i < inBytes; i += 8) {
      sum += load<f64>(x + i) * load<f64>(k);
      k += outBytes;
    }
    store<f64>(out + jb, sum);
  }
}

/**
 * A Vega-Lite specification as plain JSON (`$schema`, `data`, `mark`, `encoding`, …). Typed loosely on purpose: the
 * public types of this package never reference `vega-lite`'s, so they compile without them (`skipLibCheck: false`).
 */
export type VegaLiteSpec = { readonly [key: string]: unknown };

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node, with no browser and no network: the spec is
 * compiled with `vega-lite`, run headless by `vega` (`renderer: 'none'`) and serialised by `view.toSVG()`.
 * The spec must carry its data inline (`data: { values }`); a URL data source would be fetched.
 * `vega` and `vega-lite` load on the first call: importing the package (for its metrics) does not pay for them.
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec as unknown as Parameters<typeof compile>[0]).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// `npm run test:build`: the compiler of the script tag's texts, on the small project in fixture/
// (card.js imports greeting.js; Italian translates all but "Your card", and swaps the values of
// the morning greeting).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { rollup } from 'rollup';
import { compileMessages } from './compile-messages.mjs';

const fixture = fileURLToPath(new URL('fixture/', import.meta.url));

async function build(entry) {
  const bundle = await rollup({
    input: { [entry]: `${fixture}src/${entry}.js` },
    plugins: [
      compileMessages({ config: `${fixture}lit-localize.json`, runtime: `${fixture}src/runtime.js`, compiled: `${fixture}src/compiled.js` }),
    ],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es', sourcemap: true, chunkFileNames: 'chunks/[name].js' });
  return Object.fromEntries(output.map((file) => [file.fileName, file.type === 'chunk' ? file.code : file.source]));
}

/** The default export of a chunk of texts: `var e=[…];export{e as default}` and the like. */
function texts(code) {
  return new Function(`${code.replace(/export\s*\{\s*(\w+) as default\s*\};?/, 'return $1;')}`)();
}

test('each msg() becomes a number and its values; the code keeps no English and no @lit/localize', async () => {
  const files = await build('card');
  const code = files['card.js'];
  assert.doesNotMatch(code, /@lit\/localize|Hello|Good morning|Your card/);
  assert.match(code, /msg\(\d+\)/);
  assert.match(code, /msg\(\d+, \[name, runtime\]\)/);
  // The @lit/localize set-up of the tests is replaced by the compiled runtime.
  assert.match(code, /const runtime = 'compiled'/);
  assert.match(code, /addCatalogue\('mentoring-card', \{ en: \(\) => import\('\.\/chunks\/card\.en\.js'\), it: \(\) => import\('\.\/chunks\/card\.it\.js'\) \}\)/);
});

test("a widget's chunk per language holds the texts of every module it imports, English where a translation is missing", async () => {
  const files = await build('card');
  const english = texts(files['chunks/card.en.js']).filter(Boolean).sort();
  const italian = texts(files['chunks/card.it.js']).filter(Boolean).sort();
  assert.deepEqual(english, ['Good morning, {0}, from {1}', 'Hello', 'Your card']);
  assert.deepEqual(italian, ['Ciao', 'Da {1}, buongiorno {0}', 'Your card']);
  // The same text twice is one number; the numbers of the two languages match.
  const numbered = (chunk) => Object.entries(texts(chunk)).map(([number, text]) => [Number(number), text]);
  const morning = numbered(files['chunks/card.en.js']).find(([, text]) => text.startsWith('Good morning'))[0];
  assert.equal(texts(files['chunks/card.it.js'])[morning], 'Da {1}, buongiorno {0}');
  assert.match(files['card.js'], new RegExp(`msg\\(${morning}, \\[name, runtime\\]\\)`));
  // Data, not code: no source map.
  assert.doesNotMatch(files['chunks/card.it.js'], /sourceMappingURL/);
  assert.equal(files['chunks/card.it.js.map'], undefined);
});

test('a widget does not carry the texts of modules it does not import', async () => {
  const files = await build('greeting');
  assert.deepEqual(texts(files['chunks/greeting.en.js']).filter(Boolean).sort(), ['Good morning, {0}, from {1}', 'Hello']);
});

test('the build stops at a msg() it cannot compile, or a str`` it would leave behind', async () => {
  await assert.rejects(build('options'), /options\.js:3:\d+: msg\(\) with options is not compiled/);
  await assert.rejects(build('stray'), /stray\.js:3:\d+: str is used outside a msg\(\) call/);
});

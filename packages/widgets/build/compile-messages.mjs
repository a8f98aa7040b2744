// A rollup plugin for the script tag's build: compiles lit-localize's msg() calls away.
//
// The source keeps msg('…') and msg(str`…${x}…`) from @lit/localize, so `lit-localize extract`
// and `build` (the XLIFF workflow) and the tests work as they always do. In the built code each
// call becomes msg(number, [x]) of the compiled runtime, and each widget gets one chunk of texts
// per language, English too, with the texts of the modules it imports and no others: a page
// downloads code without texts, then the texts of the widgets it shows in their language.
import { readConfigFileAndWriteSchema } from '@lit/localize-tools/lib/config.js';
import { RuntimeLitLocalizer } from '@lit/localize-tools/lib/modes/runtime.js';
import { extractMessagesFromProgram } from '@lit/localize-tools/lib/program-analysis.js';
import { generateMsgId } from '@lit/localize/internal/id-generation.js';
import MagicString from 'magic-string';
import { basename, resolve } from 'node:path';
import ts from 'typescript';

const prefix = '\0compiled-messages/';
const valueMark = /\{\d+\}/;

/**
 * `config`: the lit-localize.json of the texts. Imports of `runtime` (the @lit/localize set-up
 * of the tests and the npm modules) get `compiled` instead, which exports `msg(number, values)`
 * and `addCatalogue()`.
 */
export function compileMessages({ config, runtime, compiled }) {
  const compiledId = JSON.stringify(resolve(compiled));
  /** lit-localize id → number: the order of the texts in the source, file by file. */
  let numbers = new Map();
  /** locale → texts by number, `{0}` where the first value goes. */
  let texts = new Map();
  /** A module → the numbers of its texts. */
  const modules = new Map();
  /** A text chunk's id → the widget's entry and the locale. */
  const chunks = new Map();
  /** Modules whose texts are in the chunks. */
  const included = new Set();

  return {
    name: 'compile-messages',

    buildStart() {
      const localizer = new RuntimeLitLocalizer(readConfigFileAndWriteSchema(config));
      // The files in name order: a text used in several files is numbered where it first appears, so
      // a widget that shares a text with a newer one keeps its chunk of texts as it was.
      const program = localizer.program;
      const inNameOrder = Object.create(program, {
        getSourceFiles: { value: () => [...program.getSourceFiles()].sort((a, b) => a.fileName.localeCompare(b.fileName)) },
      });
      const { messages, errors } = extractMessagesFromProgram(inNameOrder);
      if (errors.length > 0) this.error(ts.formatDiagnostics(errors, ts.createCompilerHost({})));
      // The shared texts (src/internal) first: every widget's chunk starts with them, so it has no
      // run of empty places for the texts of the widgets before it up to them.
      const shared = (message) => (message.file.fileName.includes('/src/internal/') ? 0 : 1);
      const source = messages.sort(
        (a, b) => shared(a) - shared(b) || a.file.fileName.localeCompare(b.file.fileName) || a.node.pos - b.node.pos,
      );
      numbers = new Map(source.map((message, number) => [message.name, number]));
      const { translations } = localizer.readTranslationsSync();
      const english = source.map((message) => textOf(message.contents, message.name));
      texts = new Map([[localizer.config.sourceLocale, english]]);
      for (const locale of localizer.config.targetLocales) {
        const translated = new Map((translations.get(locale) ?? []).map((message) => [message.name, message.contents]));
        // A text not translated yet shows English, as with @lit/localize (a test asks for every translation).
        texts.set(locale, source.map((message, number) => (translated.has(message.name) ? textOf(translated.get(message.name), message.name) : english[number])));
      }
      for (const collection of [modules, chunks, included]) collection.clear();
    },

    resolveId: {
      // Before @rollup/plugin-typescript, which would resolve the runtime itself.
      order: 'pre',
      async handler(source, importer, options) {
        if (source.startsWith(prefix)) return source;
        if (importer === undefined || importer.startsWith('\0')) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved?.id === resolve(runtime) ? resolve(compiled) : null;
      },
    },

    transform(code, id) {
      if (id.startsWith('\0')) return null;
      const output = new MagicString(code);
      const used = code.includes('@lit/localize') ? compileModule(id, code, output, (message) => this.error(message)) : [];
      if (used.length > 0) modules.set(id, used);
      if (this.getModuleInfo(id)?.isEntry) {
        // A widget's entry registers its chunks of texts, which hold the texts of all it imports,
        // for the element it defines: entry redeem-voucher defines <mentoring-redeem-voucher>.
        const name = basename(id).replace(/\.[jt]s$/, '');
        const loaders = [...texts.keys()].map((locale) => {
          const chunk = `${prefix}${name}.${locale}.js`;
          chunks.set(chunk, { entry: id, locale });
          return `${locale}: () => import(${JSON.stringify(chunk)})`;
        });
        output.prepend(`import { addCatalogue } from ${compiledId};\naddCatalogue('mentoring-${name}', { ${loaders.join(', ')} });\n`);
      } else if (used.length === 0) {
        return null;
      }
      return { code: output.toString(), map: output.generateMap({ hires: true }) };
    },

    async load(id) {
      const chunk = chunks.get(id);
      if (chunk === undefined) return null;
      const seen = new Set();
      const queue = [chunk.entry];
      while (queue.length > 0) {
        const module = queue.pop();
        if (seen.has(module)) continue;
        seen.add(module);
        queue.push(...(await this.load({ id: module, resolveDependencies: true })).importedIds);
      }
      seen.forEach((module) => included.add(module));
      // An array by number, empty where the widget has no text: `[,"Prova di nuovo",…]`.
      const all = texts.get(chunk.locale);
      const own = new Set([...seen].flatMap((module) => modules.get(module) ?? []));
      const entries = Array.from({ length: Math.max(-1, ...own) + 1 }, (_, number) => (own.has(number) ? JSON.stringify(all[number]) : ''));
      return `export default [${entries.join(',')}];`;
    },

    generateBundle(_, bundle) {
      // A chunk of texts is data, built here: it has no source to map back to, and the comment
      // that names its map would be the most of it after the texts.
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunks.has(chunk.facadeModuleId)) continue;
        chunk.code = chunk.code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
        chunk.map = null;
        delete bundle[`${chunk.fileName}.map`];
      }
    },

    buildEnd(error) {
      if (error !== undefined) return;
      const missed = [...modules.keys()].filter((id) => !included.has(id));
      if (missed.length > 0) this.error(`No widget imports ${missed.join(', ')} statically: its texts would be in no chunk.`);
    },
  };

  /** Rewrites the msg() calls of a module into `output`; returns the numbers of its texts. */
  function compileModule(id, code, output, fail) {
    const file = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const names = importedNames(file, fail);
    if (names === undefined) return [];
    const used = [];
    const calls = [];
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === names.msg) {
        const failHere = (message) => fail(`${where(file, node)}: ${message}`);
        const { textId, expressions } = readCall(node, names, failHere);
        const number = numbers.get(textId);
        if (number === undefined) failHere('lit-localize did not find this text.');
        rewriteCall(output, file, node, `${names.msg}(${number}`, expressions);
        used.push(number);
        calls.push(node);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    const stray = strayUse(file, names, [names.declaration, ...calls]);
    if (stray !== undefined) fail(`${where(file, stray)}: ${stray.text} is used outside a msg() call the build can compile.`);
    output.overwrite(names.declaration.getStart(file), names.declaration.end, `import { msg as ${names.msg} } from ${compiledId};`);
    return used;
  }
}

/** A message's contents as the runtime reads them: text, and `{n}` for the value of placeholder n. */
function textOf(contents, id) {
  return contents
    .map((part) => {
      if (typeof part !== 'string') return `{${part.index}}`;
      if (valueMark.test(part)) throw new Error(`Text ${id} has {n} in it, which would be taken for a value.`);
      return part;
    })
    .join('');
}

/** `import { msg, str } from '@lit/localize'`: the declaration and the local names, or undefined. */
function importedNames(file, fail) {
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || statement.moduleSpecifier.text !== '@lit/localize') continue;
    const bindings = statement.importClause?.namedBindings;
    const elements = bindings !== undefined && ts.isNamedImports(bindings) ? bindings.elements : [];
    const local = (name) => elements.find((element) => (element.propertyName ?? element.name).text === name)?.name.text;
    if (elements.length === 0 || elements.some((element) => !['msg', 'str'].includes((element.propertyName ?? element.name).text))) {
      fail(`${where(file, statement)}: the build compiles msg and str of @lit/localize, nothing else.`);
    }
    return { declaration: statement, msg: local('msg'), str: local('str') };
  }
  return undefined;
}

/** The lit-localize id of a msg() call's text, and the expressions of its values. */
function readCall(call, names, fail) {
  const [argument] = call.arguments;
  if (call.arguments.length !== 1) fail('msg() with options is not compiled; give it the text alone.');
  if (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument)) {
    return { textId: generateMsgId([argument.text], false), expressions: [] };
  }
  if (!ts.isTaggedTemplateExpression(argument) || !ts.isIdentifier(argument.tag) || argument.tag.text !== names.str) {
    fail('msg() takes a string or a str`` template here.');
  }
  const template = argument.template;
  if (ts.isNoSubstitutionTemplateLiteral(template)) return { textId: generateMsgId([template.text], false), expressions: [] };
  const strings = [template.head.text, ...template.templateSpans.map((span) => span.literal.text)];
  // lit-localize makes neighbouring expressions one placeholder: the values would be numbered otherwise.
  if (strings.slice(1, -1).includes('')) fail('put some text between the values of a str`` text.');
  return { textId: generateMsgId(strings, false), expressions: template.templateSpans.map((span) => span.expression) };
}

/** `msg('Text')` → `msg(7)`, `msg(str`A ${x} B ${y}`)` → `msg(8, [x, y])`; the expressions stay as they are. */
function rewriteCall(output, file, call, head, expressions) {
  if (expressions.length === 0) {
    output.overwrite(call.getStart(file), call.end, `${head})`);
    return;
  }
  output.overwrite(call.getStart(file), expressions[0].getStart(file), `${head}, [`);
  expressions.slice(1).forEach((expression, index) => output.overwrite(expressions[index].end, expression.getStart(file), ', '));
  output.overwrite(expressions.at(-1).end, call.end, '])');
}

/** An identifier `msg` or `str` outside the `allowed` nodes: a use the build did not compile. */
function strayUse(file, names, allowed) {
  const inside = (node) => allowed.some((parent) => node.pos >= parent.pos && node.end <= parent.end);
  let stray;
  const visit = (node) => {
    if (stray !== undefined) return;
    if (ts.isIdentifier(node) && (node.text === names.msg || node.text === names.str) && !inside(node)) stray = node;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return stray;
}

function where(file, node) {
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${file.fileName}:${line + 1}:${character + 1}`;
}

// Writes docs/conformance.md: every normative statement of MQTT 3.1.1 and 5.0, with the tests that check
// it or the reason it is not tested. `--check` writes nothing and fails (exit 1) when a statement has
// neither, when an id cited anywhere in the sources is in neither standard, or when the committed matrix
// is out of date. Runs in `pnpm lint`; `pnpm conformance` regenerates the matrix.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

type AppliesTo = 'Server' | 'Client' | 'Both';

interface Statement {
  readonly id: string;
  readonly appliesTo: AppliesTo;
  readonly paraphrase: string;
}

interface TestCase {
  /** Repository-relative path of the test file. */
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly ids: readonly string[];
}

interface Reason {
  readonly file: string;
  readonly line: number;
  readonly id: string;
  readonly text: string;
}

interface Standard {
  readonly version: '3.1.1' | '5.0';
  readonly title: string;
  readonly statements: readonly Statement[];
  readonly directory: string;
}

const root = join(import.meta.dirname, '..', '..');
const check = process.argv.includes('--check');
const output = join(root, 'docs', 'conformance.md');
const conformanceDirectory = join(root, 'packages', 'e2e', 'test', 'conformance');
const idPattern = /\[MQTT-([0-9][0-9.]*-[0-9]+)\]/g;
const leadingIds = /^(?:\s*\[MQTT-[^\]]*\])+/;
const testFunctions = new Set(['it', 'test']);
const forbiddenModifiers = new Set(['skip', 'todo', 'fails', 'skipIf', 'runIf', 'only']);

const problems: string[] = [];

function readStatements(version: Standard['version']): Statement[] {
  const file = join(root, 'tooling', 'conformance', `normative-${version}.tsv`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, appliesTo, paraphrase] = line.split('\t');
      if (!id || !paraphrase || (appliesTo !== 'Server' && appliesTo !== 'Client' && appliesTo !== 'Both')) {
        throw new Error(`${relative(root, file)}: malformed line "${line}"`);
      }
      return { id: id.replace(/^MQTT-/, ''), appliesTo, paraphrase };
    });
}

function walk(directory: string, accept: (name: string) => boolean): string[] {
  if (!existsSync(directory)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...walk(path, accept));
    else if (accept(entry.name)) found.push(path);
  }
  return found;
}

/** The name and modifiers of a test call: `it`, `test`, or either with modifiers such as `.concurrent`. */
function testCall(node: ts.CallExpression): { modifiers: string[] } | undefined {
  const modifiers: string[] = [];
  let callee: ts.Expression = node.expression;
  while (ts.isPropertyAccessExpression(callee)) {
    modifiers.unshift(callee.name.text);
    callee = callee.expression;
  }
  return ts.isIdentifier(callee) && testFunctions.has(callee.text) ? { modifiers } : undefined;
}

function readTests(file: string): TestCase[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const path = relative(root, file);
  const tests: TestCase[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const call = testCall(node);
      const title = node.arguments[0];
      if (call && title) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        const forbidden = call.modifiers.filter((modifier) => forbiddenModifiers.has(modifier));
        if (forbidden.length > 0)
          problems.push(`${path}:${line}: ${forbidden.join('.')} is not allowed here`);
        if (ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title)) {
          const lead = leadingIds.exec(title.text)?.[0] ?? '';
          const ids = [...lead.matchAll(idPattern)].map((match) => match[1] ?? '');
          if (ids.length > 0) tests.push({ file: path, line, name: title.text, ids });
          else if (title.text.includes('[MQTT-')) {
            problems.push(`${path}:${line}: the test name must start with the statement id(s)`);
          }
        } else {
          problems.push(
            `${path}:${line}: the test name must be a plain string (the matrix reads it statically)`,
          );
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return tests;
}

function readReasons(directory: string): Reason[] {
  const reasons: Reason[] = [];
  for (const file of walk(directory, (name) => /^not-tested.*\.tsv$/.test(name)).sort()) {
    const path = relative(root, file);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (text.trim() === '' || text.startsWith('#')) return;
        const tab = text.indexOf('\t');
        const id = text
          .slice(0, tab)
          .trim()
          .replace(/^MQTT-/, '');
        const reason = text.slice(tab + 1).trim();
        if (tab < 0 || reason === '') {
          problems.push(`${path}:${index + 1}: expected "MQTT-x.y.z-n<TAB>reason"`);
          return;
        }
        reasons.push({ file: path, line: index + 1, id, text: reason });
      });
  }
  return reasons;
}

const standards: Standard[] = [
  {
    version: '3.1.1',
    title: 'MQTT Version 3.1.1 (OASIS Standard, 29 October 2014)',
    statements: readStatements('3.1.1'),
    directory: join(conformanceDirectory, 'mqtt-3.1.1'),
  },
  {
    version: '5.0',
    title: 'MQTT Version 5.0 (OASIS Standard, 7 March 2019)',
    statements: readStatements('5.0'),
    directory: join(conformanceDirectory, 'mqtt-5.0'),
  },
];

// Every id cited anywhere in the sources must exist in at least one standard (typos, draft numbers).
const everyId = new Set(
  standards.flatMap((standard) => standard.statements.map((statement) => statement.id)),
);
const sourceFiles = ['packages', 'apps'].flatMap((group) =>
  walk(join(root, group), (name) => /\.(ts|js|mts|md)$/.test(name)),
);
for (const file of sourceFiles) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      for (const match of text.matchAll(idPattern)) {
        if (!everyId.has(match[1] ?? '')) {
          problems.push(`${relative(root, file)}:${index + 1}: [MQTT-${match[1]}] is in neither standard`);
        }
      }
    });
}

interface Row {
  readonly statement: Statement;
  readonly tests: readonly TestCase[];
  readonly reason: Reason | undefined;
}

function rowsOf(standard: Standard): Row[] {
  const known = new Set(standard.statements.map((statement) => statement.id));
  const tests = walk(standard.directory, (name) => name.endsWith('.test.ts'))
    .sort()
    .flatMap(readTests);
  const testsById = new Map<string, TestCase[]>();
  for (const test of tests) {
    for (const id of test.ids) {
      if (!known.has(id)) {
        problems.push(
          `${test.file}:${test.line}: [MQTT-${id}] is not a statement of MQTT ${standard.version}`,
        );
      }
      testsById.set(id, [...(testsById.get(id) ?? []), test]);
    }
  }
  const reasonsById = new Map<string, Reason>();
  for (const reason of readReasons(standard.directory)) {
    const where = `${reason.file}:${reason.line}`;
    if (!known.has(reason.id))
      problems.push(`${where}: MQTT-${reason.id} is not a statement of MQTT ${standard.version}`);
    else if (reasonsById.has(reason.id)) problems.push(`${where}: a second reason for MQTT-${reason.id}`);
    else if (testsById.has(reason.id))
      problems.push(`${where}: MQTT-${reason.id} has a test and a reason; keep one`);
    reasonsById.set(reason.id, reason);
  }
  return standard.statements.map((statement) => {
    const row = {
      statement,
      tests: testsById.get(statement.id) ?? [],
      reason: reasonsById.get(statement.id),
    };
    if (row.tests.length === 0 && row.reason === undefined) {
      problems.push(
        `MQTT ${standard.version}: MQTT-${statement.id} (${statement.appliesTo}) has neither a test nor a reason`,
      );
    }
    return row;
  });
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function section(standard: Standard, rows: readonly Row[]): string[] {
  const lines = [`## ${standard.title}`, ''];
  lines.push('| Statement | Obliges | Paraphrase | Checked by |', '| --- | --- | --- | --- |');
  for (const { statement, tests, reason } of rows) {
    const checkedBy =
      tests.length > 0
        ? tests
            .map((test) => {
              const name = test.name.replace(leadingIds, '').trim();
              const link = relative(dirname(output), join(root, test.file));
              return `[${cell(name)}](${link}#L${test.line})`;
            })
            .join('<br>')
        : reason
          ? `Not tested: ${cell(reason.text)}`
          : '**missing**';
    lines.push(
      `| MQTT-${statement.id} | ${statement.appliesTo} | ${cell(statement.paraphrase)} | ${checkedBy} |`,
    );
  }
  lines.push('');
  return lines;
}

function totals(standard: Standard, rows: readonly Row[]): string {
  const tested = rows.filter((row) => row.tests.length > 0).length;
  const obliging = rows.filter((row) => row.statement.appliesTo !== 'Client');
  const obligingTested = obliging.filter((row) => row.tests.length > 0).length;
  const policedClient = rows.filter(
    (row) => row.statement.appliesTo === 'Client' && row.tests.length > 0,
  ).length;
  const reasons = rows.filter((row) => row.tests.length === 0 && row.reason).length;
  const missing = rows.length - tested - reasons;
  const testCount = new Set(rows.flatMap((row) => row.tests.map((test) => `${test.file}:${test.line}`))).size;
  return (
    `| MQTT ${standard.version} | ${rows.length} | ${tested} | ${obligingTested} of ${obliging.length} | ` +
    `${policedClient} | ${reasons} | ${missing} | ${testCount} |`
  );
}

const sections = standards.map((standard) => ({ standard, rows: rowsOf(standard) }));
const document = [
  '# Conformance matrix',
  '',
  '<!-- Generated by `pnpm conformance` (tooling/scripts/conformance.ts); do not edit by hand. -->',
  '',
  'Every numbered normative statement of the two OASIS MQTT standards, with the tests that check it',
  'against a running broker over a real socket (or, for statements purely about bytes, against',
  '`@mqttkit/codec`), or the reason it is not tested. The tests live in',
  '[`packages/e2e/test/conformance/`](../packages/e2e/test/conformance); each test name starts with the',
  'ids it checks. `pnpm lint` fails when a statement has neither a test nor a reason, when a cited id is',
  'in neither standard, or when this file is out of date. The statement lists and their paraphrases are',
  'in [`tooling/conformance/`](../tooling/conformance); the standards themselves are the contract.',
  '',
  '| Standard | Statements | Tested | Server and Both tested | Client rows policed by tests | Not tested, with a reason | Missing | Tests |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...sections.map(({ standard, rows }) => totals(standard, rows)),
  '',
  ...sections.flatMap(({ standard, rows }) => section(standard, rows)),
].join('\n');

/** A Markdown table laid out as Prettier lays it out, so `pnpm format:check` accepts it as written. */
function alignedTable(
  header: readonly string[],
  right: readonly boolean[],
  rows: readonly string[][],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, column) => (right[column] ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (right[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}

// The README states the totals between two markers; they are rewritten (or checked) with the matrix.
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const totalsStart = '<!-- conformance totals: written by `pnpm conformance` -->';
const totalsEnd = '<!-- end of conformance totals -->';
const totalsBlock = [
  totalsStart,
  '',
  ...alignedTable(
    [
      'standard',
      'statements',
      'tested',
      'Server and Both rows tested',
      'Client rows tested',
      'with a reason instead',
    ],
    [false, true, true, true, true, true],
    sections.map(({ standard, rows }) => {
      const tested = (row: Row): boolean => row.tests.length > 0;
      const obliging = rows.filter((row) => row.statement.appliesTo !== 'Client');
      const client = rows.filter((row) => row.statement.appliesTo === 'Client');
      return [
        `MQTT ${standard.version}`,
        String(rows.length),
        String(rows.filter(tested).length),
        `${obliging.filter(tested).length} of ${obliging.length}`,
        `${client.filter(tested).length} of ${client.length}`,
        String(rows.filter((row) => !tested(row) && row.reason).length),
      ];
    }),
  ),
  '',
  totalsEnd,
].join('\n');
const blockAt = readme.indexOf(totalsStart);
const blockEnd = readme.indexOf(totalsEnd);
let newReadme = readme;
if (blockAt < 0 || blockEnd < blockAt)
  problems.push(`README.md has no "${totalsStart}" ... "${totalsEnd}" block`);
else newReadme = readme.slice(0, blockAt) + totalsBlock + readme.slice(blockEnd + totalsEnd.length);

if (check) {
  const current = existsSync(output) ? readFileSync(output, 'utf8') : '';
  if (current !== document) problems.push('docs/conformance.md is out of date: run `pnpm conformance`');
  if (newReadme !== readme) problems.push('the totals in README.md are out of date: run `pnpm conformance`');
} else {
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, document);
  writeFileSync(readmePath, newReadme);
}
for (const problem of problems) console.error(problem);
console.log(
  sections
    .map(({ standard, rows }) => {
      const tested = rows.filter((row) => row.tests.length > 0).length;
      const reasons = rows.filter((row) => row.tests.length === 0 && row.reason).length;
      return `MQTT ${standard.version}: ${rows.length} statements, ${tested} tested, ${reasons} with a reason, ${rows.length - tested - reasons} missing`;
    })
    .join('\n'),
);
if (problems.length > 0) {
  console.error(`conformance: ${problems.length} problem(s)`);
  process.exit(1);
}

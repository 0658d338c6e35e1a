import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map(
    (match) => match[1]!,
  );
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.resolve(path.dirname(file), specifier));
}

describe('architecture', () => {
  const files = sourceFiles(path.join(root, 'src'));

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(['dev', 'emulator', 'test', 'bench', 'scripts', 'web', 'client'])(
    'src/ imports nothing from %s/',
    (folder) => {
      const forbidden = path.join(root, folder);
      const offenders = files.flatMap((file) =>
        importsOf(file)
          .filter((target) => target === forbidden || target.startsWith(`${forbidden}${path.sep}`))
          .map((target) => `${path.relative(root, file)} -> ${path.relative(root, target)}`),
      );
      expect(offenders).toEqual([]);
    },
  );

  it('keeps function files thin: no direct use of Azure SDK clients', () => {
    const functionFiles = files.filter((file) => file.includes(`${path.sep}functions${path.sep}`));
    const offenders = functionFiles.filter((file) =>
      /@azure\/(data-tables|communication-)/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('reads nothing from outside the repository (a clone stands on its own)', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    const outside = /\.\.\/shared\b|shared\/acs-rest-api/;
    const offenders = tracked.filter(
      (file) =>
        !file.startsWith('emulator/contract/') &&
        file !== 'package-lock.json' &&
        outside.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

const { createJestConfig } = require('../../../jest.preset.cjs');

const config = createJestConfig(__dirname);

// The console's components are .tsx: the unit tier also transforms TSX (React's automatic runtime)
// and runs `*.spec.tsx`, which render components to static HTML (react-dom/server; no DOM needed).
const unit = config.projects.find((p) => p.displayName === 'unit');
unit.transform = {
  '^.+\\.tsx$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } }, module: { type: 'commonjs' } }],
  ...unit.transform,
};
unit.moduleFileExtensions = [...unit.moduleFileExtensions, 'tsx'];
unit.testMatch = [...unit.testMatch, '<rootDir>/src/**/*.spec.tsx'];

module.exports = config;

// Loading app modules

export type { CompiledApp } from './compile-type-script.js'
export { cacheFolderFor, compileTypeScript } from './compile-type-script.js'
export { findAppExport, importAppModule } from './import-app-module.js'

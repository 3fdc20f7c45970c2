/** The environment variable that names the app module in sandbox processes. */
export const APP_MODULE_ENV = 'CHARIOTS_APP_MODULE'

// These ml.js packages ship no type declarations. Each adapter types the part it uses in its own file,
// so the emitted .d.ts files never import these modules.
declare module 'ml-logistic-regression'
declare module 'ml-cart'
declare module 'ml-knn'
declare module 'ml-naivebayes'

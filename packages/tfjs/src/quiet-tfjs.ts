// Importing @chariots/tfjs puts TF.js in PROD mode. Why: in Node, the pure-JS CPU backend prints a
// "install @tensorflow/tfjs-node" banner on its first tensor, once per process (every worker, every
// CLI run), and tfjs-node cannot be installed here. In 4.22 the PROD flag gates only TF.js's own
// console output (log.warn / log.log and flag-override notices), nothing numeric. To get the messages
// back, call `tf.env().set('PROD', false)` after importing this package.
import * as tf from '@tensorflow/tfjs'

tf.env().set('PROD', true)

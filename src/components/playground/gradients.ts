/**
 * Gradient registrations for training in the browser (tfjs-core registers none by itself). The gradients
 * module is bundled with its own copies of tfjs-core's internals; tfjs keeps its engine and Tensor class
 * in globals, so whichever copy loads first owns them. The site's tfjs-core is imported first here so
 * that it is the site's engine (with its chained ops) that the gradients find and reuse.
 */
import "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";

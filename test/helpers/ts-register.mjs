// `node --import ./test/helpers/ts-register.mjs src/cli.ts`: see ts-loader.mjs.
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);

/**
 * The CLI as a user runs it: dist/cli/index.js as a child process under Node 24, on the smoke set
 * of __tests__/support/cli-cases.ts (every case runs in process in __tests__/integration), and
 * credential_process through the real AWS CLI.
 */
import { describeCli } from '../support/cli-cases.js'

describeCli('dist/cli/index.js under Node 24')

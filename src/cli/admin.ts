/**
 * `npm run -s admin -- sign-in-link [--user NAME]` gives a user (default: the owner the first
 * start created) a new token and prints its sign-in link; the old token stops working. For when
 * the first run's link is lost. Safe while the service runs against the same MONGODB_URI; with
 * the embedded servers, stop `npm start` first: both would open the same files.
 */
import { issueSignInLink, OWNER_NAME } from '../admin/firstRun.ts';
import { createAdminUserRepository, createAuditLog } from '../store/mongo/adminRepository.ts';
import { openCommandStores, runCommand } from './runCommand.ts';

const usage = 'usage: admin sign-in-link [--user NAME]';

function parse(argv: string[]): { command: 'sign-in-link'; user: string } | null {
  const [command, ...rest] = argv;
  if (command !== 'sign-in-link') return null;
  if (rest.length === 0) return { command, user: OWNER_NAME };
  if (rest.length === 2 && rest[0] === '--user' && rest[1]) return { command, user: rest[1] };
  return null;
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) {
    console.error(usage);
    return 2;
  }
  const { config, stores } = await openCommandStores();
  try {
    const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
    const baseUrl = config.publicUrl ?? `http://${host}:${config.http.port}`;
    const link = await issueSignInLink({ users: createAdminUserRepository(stores.mongo), audit: createAuditLog(stores.mongo), baseUrl }, args.user);
    if (!link) {
      console.error(`There is no user "${args.user}"; name one with --user (GET /api/users lists them)`);
      return 1;
    }
    console.log(`Sign-in link for ${args.user} (the previous one no longer works):\n${link}`);
    return 0;
  } finally {
    await stores.close();
  }
}

await runCommand(main);

/** Why `root` needs a build before `npm start` can run it ('no build yet', 'src changed', …), or null. */
export function whyRebuild(root: string): string | null;

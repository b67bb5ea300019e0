import { expect, fixture, fixtureCleanup } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import { configure, type SecretKeyPicker } from '../../../elements/index.ts';
import { $, $$, byText, createVaultConnection, focused, newPlatform, textOf, until, type TestPlatform } from './helpers.ts';
import { memberToken } from './members.ts';

export interface TokenSetup {
  p: TestPlatform;
  projectId: string;
  /** Listens for sm-auth-expired on the element the host placed. */
  onExpired: () => void;
  /** A static token, or none (then the page-wide configure() gives it). */
  token?: string;
}

/**
 * What every element with a key picker does when the server refuses the host's token:
 * it says so (`sm-auth-expired`), asks `getToken()` once more, carries on with a fresh
 * token, and shows the expired state (with "Try again") when the token stays refused.
 */
export function describeTokenExpiry(name: string, render: (setup: TokenSetup) => TemplateResult, pickerOf: (host: HTMLElement) => SecretKeyPicker): void {
  describe(`${name}: expired tokens`, () => {
    let p: TestPlatform;
    let projectId: string;

    beforeEach(async () => {
      p = await newPlatform();
      projectId = (await p.api.projects.create.mutate({ name: 'Flows' })).id;
      await createVaultConnection(p, 'Vault production');
    });

    afterEach(() => {
      // Elements first: a page-wide reset would make the ones still connected call the page's own origin.
      fixtureCleanup();
      configure({});
    });

    it('asks getToken again after a 401 and carries on with the token the host refreshed', async () => {
      const expired = await memberToken(p, projectId, -60);
      const fresh = await memberToken(p, projectId);
      let refreshed = false;
      const handedOut: string[] = [];
      configure({ url: p.apiUrl, getToken: () => (handedOut.push(refreshed ? fresh : expired), handedOut.at(-1)) });
      const host = await fixture<HTMLElement>(render({ p, projectId, onExpired: () => (refreshed = true) }));
      const picker = pickerOf(host);
      await until(() => !picker.matches(':state(empty)'), 'the key button');
      expect(refreshed, 'sm-auth-expired reached the host').to.equal(true);
      expect(handedOut[0]).to.equal(expired);
      expect(handedOut.at(-1), 'getToken was asked again after the 401').to.equal(fresh);
      expect(picker.matches(':state(expired)')).to.equal(false);
    });

    it('shows the expired state when the token stays refused, and recovers with a new one', async () => {
      let expiredEvents = 0;
      const host = await fixture<HTMLElement>(render({ p, projectId, token: await memberToken(p, projectId, -60), onExpired: () => expiredEvents++ }));
      const picker = pickerOf(host);
      await until(() => picker.matches(':state(expired)'), 'expired');
      expect(expiredEvents).to.be.greaterThan(0);
      const key = $(picker, 'button[aria-label="Use a secret manager"]');
      expect(key.classList.contains('troubled')).to.equal(true);
      expect(textOf($(picker, '#trouble'))).to.equal('Your session has expired or the token is not valid');
      key.click();
      const problem = await until(() => $(picker, '[part=problem]'), 'the panel explains');
      expect(textOf(problem)).to.contain('Your session has expired').and.contain('The token has expired.');
      await until(() => focused() === byText(picker, 'button', 'Try again'), 'focus on "Try again"');
      await expect(host).to.be.accessible();

      (host as HTMLElement & { token: string }).token = await memberToken(p, projectId);
      await until(() => !picker.matches(':state(expired)') && $$(picker, 'sm-connection-select').length > 0, 'a new token brings the form back');
    });
  });
}

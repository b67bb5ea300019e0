/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../elements/sm-project-manager/sm-project-manager.ts';
import type { SmProjectManager } from '../../elements/sm-project-manager/sm-project-manager.ts';
import { $, $$, byText, createVaultConnection, focused, newPlatform, textOf, typeInto, until, type TestPlatform } from './support/helpers.ts';

describe('<sm-project-manager>', () => {
  let p: TestPlatform;
  let manager: SmProjectManager;

  beforeEach(async () => {
    p = await newPlatform();
    manager = await fixture<SmProjectManager>(html`<sm-project-manager api-url=${p.apiUrl} token=${p.adminToken}></sm-project-manager>`);
    await until(() => !textOf(manager.shadowRoot!).includes('Loading'), 'the projects');
  });

  const names = () => $$(manager, 'li > span').map(textOf);

  it('passes axe-core, empty and with projects', async () => {
    await expect(manager).to.be.accessible();
    typeInto($(manager, 'form input'), 'Marketing');
    $<HTMLFormElement>(manager, 'form').requestSubmit();
    await until(() => names().length === 1, 'the project');
    await expect(manager).to.be.accessible();
  });

  it('adds, renames and removes projects on the server', async () => {
    expect(textOf(manager.shadowRoot!)).to.contain('No projects yet');
    typeInto($(manager, 'form input'), 'Marketing');
    const added = oneEvent(manager, 'sm-projects-changed');
    $<HTMLFormElement>(manager, 'form').requestSubmit();
    expect((await added).detail.projects.map((x: { name: string }) => x.name)).to.deep.equal(['Marketing']);
    expect(names()).to.deep.equal(['Marketing']);

    byText(manager, 'button', 'Rename Marketing').click();
    await until(() => focused()?.localName === 'input', 'the name is editable');
    await sendKeys({ type: 'Growth' });
    await sendKeys({ press: 'Enter' });
    await until(() => names()[0] === 'Growth', 'renamed');
    expect(focused()?.getAttribute('aria-label')).to.equal('Rename Growth', 'focus goes back to the rename button');
    expect((await p.api.projects.list.query()).map((x) => x.name)).to.deep.equal(['Growth']);

    byText(manager, 'button', 'Remove project Growth').click();
    const confirm = $(manager, 'sm-confirm-dialog');
    await until(() => $(confirm, 'dialog[open]'), 'the confirmation');
    expect(textOf($(confirm, 'h2'))).to.equal('Remove project “Growth”?');
    byText(confirm, 'button', 'Remove project').click();
    await until(() => names().length === 0, 'removed');
    expect(await p.api.projects.list.query()).to.deep.equal([]);
  });

  it('explains why a project that a connection depends on cannot be removed', async () => {
    const project = await p.api.projects.create.mutate({ name: 'Billing' });
    await createVaultConnection(p, 'Vault billing', { scope: 'PROJECT', projectIds: [project.id] });
    manager = await fixture<SmProjectManager>(html`<sm-project-manager api-url=${p.apiUrl} token=${p.adminToken}></sm-project-manager>`);
    await until(() => names().length === 1, 'the project');
    byText(manager, 'button', 'Remove project Billing').click();
    const confirm = $(manager, 'sm-confirm-dialog');
    await until(() => $(confirm, 'dialog[open]'), 'the confirmation');
    byText(confirm, 'button', 'Remove project').click();
    const problem = await until(() => $(confirm, '[part=problem]'), 'the reason');
    expect(textOf(problem)).to.contain('"Vault billing"');
    expect($<HTMLDialogElement>(confirm, 'dialog').open).to.equal(true);
  });
});

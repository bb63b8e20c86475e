/**
 * The web app's Button: a button that is working (busy) cannot be pressed again, whatever else its
 * caller says about `disabled` (the photo editor passes `disabled={!img}`, false once a photo is
 * chosen, which must not re-enable it while the photo is being sent).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('a busy button is disabled even when its caller passes disabled={false}', async () => {
  // Rendered outside a browser; tsx compiles the web app's JSX to React.createElement.
  const React = await import('react');
  Object.assign(globalThis, { React });
  const { renderToStaticMarkup } = await import('react-dom/server');
  const { Button } = await import('../../web/src/ui.tsx');
  const html = (props: Record<string, unknown>) =>
    renderToStaticMarkup(React.createElement(Button, props, 'Send'));
  assert.match(html({ busy: true, disabled: false }), /<button[^>]* disabled=""[^>]*aria-busy="true"/);
  assert.match(html({ busy: true }), / disabled=""/);
  assert.match(html({ disabled: true }), / disabled=""/);
  assert.doesNotMatch(html({ busy: false, disabled: false }), /disabled/);
  assert.match(html({ kind: 'danger' }), /class="btn btn-danger"/);
});

// A React host app using the `react` entry point. Type-checked against the source by
// `npm run typecheck`; the e2e test builds it against the built entry (dist/react/).
import { StrictMode, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { configure, SecretReferenceField, type ReferenceChangeDetail } from '../../../elements/react/index.ts';

const params = new URLSearchParams(location.search);
configure({ url: params.get('api')!, getToken: () => params.get('token') });

function ConnectionForm() {
  const [chosen, setChosen] = useState<ReferenceChangeDetail>();
  const [saved, setSaved] = useState('');
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(String(new FormData(event.currentTarget).get('botToken')));
  };
  return (
    <form onSubmit={save}>
      <SecretReferenceField name="botToken" label="Bot Token" required theme="light" projectId={params.get('project')!} onReferenceChange={(e) => setChosen(e.detail)} />
      <button>Save</button>
      <p>
        Chosen: <output aria-label="Chosen path">{chosen?.path ?? ''}</output>
      </p>
      <p>
        Saved: <output aria-label="Saved value">{saved}</output>
      </p>
    </form>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConnectionForm />
  </StrictMode>,
);

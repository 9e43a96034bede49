// The product flow as a step bar (Model active, later steps greyed), and the empty-state explainer of it.

const STEPS = [
  { n: 1, name: 'Model', ready: true },
  { n: 2, name: 'Dataset', ready: false },
  { n: 3, name: 'Optimize', ready: false },
  { n: 4, name: 'Compare', ready: false },
] as const;

export function FlowSteps() {
  return (
    <nav className="flow-steps" aria-label="Steps">
      <ol>
        {STEPS.map((s) => (
          <li key={s.n} className={s.ready ? 'step is-active' : 'step is-future'} aria-current={s.ready ? 'step' : undefined} aria-disabled={s.ready ? undefined : true}>
            <span className="step-num" aria-hidden="true">
              {s.n}
            </span>
            <span className="step-name">{s.name}</span>
            {!s.ready && <span className="step-soon">coming next</span>}
          </li>
        ))}
      </ol>
      <p className="flow-steps-note" aria-hidden="true">
        Dataset, Optimize and Compare are coming next.
      </p>
    </nav>
  );
}

const EXPLAINER = [
  { title: 'Load a model', text: 'See its inputs and outputs, operators, weights, and whether it can be quantized.' },
  { title: 'Add a dataset', text: 'A folder of labelled images to measure accuracy on your own data.' },
  { title: 'Optimize & compare', text: 'Make INT8 and FP16 variants, then compare size, speed and accuracy side by side.' },
] as const;

export function HowItWorks() {
  return (
    <section className="how" aria-labelledby="how-h">
      <h2 id="how-h" className="how-title">
        How it works
      </h2>
      <ol className="how-steps">
        {EXPLAINER.map((s, i) => (
          <li key={s.title}>
            <span className="how-num" aria-hidden="true">
              {i + 1}
            </span>
            <div>
              <h3>{s.title}</h3>
              <p>{s.text}</p>
            </div>
          </li>
        ))}
      </ol>
      <p className="how-privacy">Everything runs on this computer, in this tab. Your model and images are never uploaded.</p>
    </section>
  );
}

// The product flow as a step bar (Model, then Dataset once a model is loaded; later steps greyed), and the
// empty-state explainer of it. Steps are sections of one scrolling page: a ready step scrolls to its section.
import { useStore } from '../state/store';
import { scrollToSection } from './scroll-to';

type StepState = 'active' | 'done' | 'locked' | 'future';

interface Step {
  n: number;
  name: string;
  state: StepState;
  /** Id of the section to scroll to, for ready steps. */
  target?: string;
  hint?: string;
}

export function FlowSteps() {
  const hasModel = useStore((s) => s.model.card !== null);
  const measured = useStore((s) => s.evaluation.report !== null);
  const steps: Step[] = [
    { n: 1, name: 'Model', state: hasModel ? 'done' : 'active', target: 'step-model' },
    { n: 2, name: 'Dataset', state: !hasModel ? 'locked' : measured ? 'done' : 'active', target: 'step-dataset', hint: 'Load a model first' },
    { n: 3, name: 'Optimize', state: 'future' },
    { n: 4, name: 'Compare', state: 'future' },
  ];
  // The furthest ready step is the current one.
  const current = [...steps].reverse().find((s) => s.state === 'active' || s.state === 'done');

  return (
    <nav className="flow-steps" aria-label="Steps">
      <ol>
        {steps.map((s) => {
          const ready = s.state === 'active' || s.state === 'done';
          const body = (
            <>
              <span className="step-num" aria-hidden="true">
                {s.state === 'done' ? '✓' : s.n}
              </span>
              <span className="step-name">{s.name}</span>
              {s.state === 'future' && <span className="step-soon">coming next</span>}
            </>
          );
          return (
            <li
              key={s.n}
              className={`step is-${s.state}${s === current ? ' is-current' : ''}`}
              data-testid="flow-step"
              data-step={s.name}
              data-state={s.state}
              aria-current={s === current ? 'step' : undefined}
              aria-disabled={ready ? undefined : true}
              title={s.state === 'locked' ? s.hint : undefined}
            >
              {ready && s.target !== undefined ? (
                <button type="button" className="step-button" onClick={() => scrollToSection(s.target!)}>
                  {body}
                </button>
              ) : (
                body
              )}
            </li>
          );
        })}
      </ol>
      <p className="flow-steps-note" aria-hidden="true">
        Optimize and Compare are coming next.
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

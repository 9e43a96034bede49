// The product flow as a step bar (Model -> Data -> Optimize -> Compare: done, current, or locked with the reason),
// and the empty-state explainer of it. Steps are sections of one scrolling page: a ready step scrolls to its section.
import { useStore } from '../state/store';
import { scrollToSection } from './scroll-to';

type StepState = 'active' | 'done' | 'locked';

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
  const hasData = useStore((s) => s.dataset.images.length > 0 || s.dataset.samples.length > 0);
  const running = useStore((s) => s.workflow.status === 'running');
  const hasRun = useStore((s) => s.workflow.report !== null);
  const steps: Step[] = [
    { n: 1, name: 'Model', state: hasModel ? 'done' : 'active', target: 'step-model' },
    { n: 2, name: 'Data', state: !hasModel ? 'locked' : hasData ? 'done' : 'active', target: 'step-dataset', hint: 'Load a model first' },
    { n: 3, name: 'Optimize', state: !hasModel ? 'locked' : hasRun && !running ? 'done' : 'active', target: 'step-optimize', hint: 'Load a model first' },
    { n: 4, name: 'Compare', state: hasRun ? 'active' : 'locked', target: 'step-compare', hint: hasModel ? 'Press Optimize first' : 'Load a model first' },
  ];
  // Where the user is: the run in progress, the results once there are some, else the first step not done.
  const current = running ? steps[2] : hasRun ? steps[3] : (steps.find((s) => s.state === 'active') ?? steps[0]);

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
              {s.state === 'locked' && s.hint !== undefined && <span className="step-soon">{s.hint}</span>}
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
    </nav>
  );
}

const EXPLAINER = [
  { title: 'Load a model', text: 'See its inputs and outputs, operators, weights, and whether it can be quantized.' },
  { title: 'Add your data', text: 'A folder of labelled images (or none): accuracy is measured on your own data.' },
  { title: 'Optimize', text: 'One click makes FP16 and INT8 variants, checks them against the original and times them.' },
  { title: 'Compare', text: 'Size, speed and accuracy side by side, a verdict per variant, and reports to download.' },
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

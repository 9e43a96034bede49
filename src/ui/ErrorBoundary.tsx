// Last line of defence: catches rendering errors anywhere below and shows a plain-language page with Reload.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface ErrorBoundaryProps {
  children: ReactNode;
}

interface ErrorBoundaryState {
  error: Error | null;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null };

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Quantbench crashed while drawing the page', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <main className="crash" role="alert" data-testid="crash">
        <h1>Something went wrong on this page</h1>
        <p>
          Quantbench hit a bug while drawing the screen. Your files never left this computer. Reloading the page
          starts again from a clean state.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
        <details>
          <summary>Technical details</summary>
          <pre>{`${error.name}: ${error.message}`}</pre>
        </details>
      </main>
    );
  }
}

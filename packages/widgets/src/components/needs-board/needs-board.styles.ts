import { css } from 'lit';

export const needsBoardStyles = css`
  .needs {
    margin: 12px 0 0;
    padding: 0;
    list-style: none;
  }
  .need {
    margin: 0 0 12px;
    padding: 12px 0 0;
    border-top: 1px solid var(--_border);
  }
  h3 {
    margin: 0 0 4px;
    font-size: 1.05em;
    line-height: 1.3;
  }
  .need p {
    margin: 0 0 4px;
  }
  .back {
    margin: 0 0 8px;
  }
`;

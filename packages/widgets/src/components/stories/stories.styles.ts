import { css } from 'lit';

export const storiesStyles = css`
  .stories {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
    gap: 16px;
    margin: 0 0 12px;
    padding: 0;
    list-style: none;
  }
  .story {
    padding: 0 0 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  .story > :not(img) {
    margin-inline: 16px;
  }
  img {
    display: block;
    width: 100%;
    height: auto;
    margin-bottom: 12px;
    background: var(--_border);
  }
  h3 {
    margin: 12px 16px 4px;
    font-size: 1.1em;
    line-height: 1.3;
  }
  img + h3 {
    margin-top: 0;
  }
  .story p {
    margin-bottom: 8px;
  }
  .numbers {
    margin-top: 12px;
    margin-bottom: 0;
    padding: 8px 0 0;
    border-top: 1px solid var(--_border);
    list-style: none;
    color: var(--_accent);
    font-weight: 700;
  }
`;

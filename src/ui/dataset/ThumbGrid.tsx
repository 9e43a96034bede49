// The first images of the dataset as thumbnails, each with its class name (or "unlabelled").
import { useState } from 'react';
import type { DatasetImage } from '../../state/dataset-types';
import type { ClassNamer } from './class-names';

interface ThumbGridProps {
  images: readonly DatasetImage[];
  urls: ReadonlyMap<string, string>;
  className: ClassNamer;
  /** Paths reported as unreadable: drawn with a red border. */
  bad: ReadonlySet<string>;
  total: number;
}

export function ThumbGrid({ images, urls, className, bad, total }: ThumbGridProps) {
  if (images.length === 0) return null;
  return (
    <div className="thumbs">
      <ul className="thumb-grid" aria-label={`The first ${images.length} images`}>
        {images.map((img) => (
          <Thumb key={img.path} img={img} url={urls.get(img.path)} name={className(img.label)} bad={bad.has(img.path)} />
        ))}
      </ul>
      {total > images.length && <p className="footnote">Showing the first {images.length} of {total} images.</p>}
    </div>
  );
}

function Thumb({ img, url, name, bad }: { img: DatasetImage; url: string | undefined; name: string; bad: boolean }) {
  const [broken, setBroken] = useState(false);
  const file = img.path.split('/').pop() ?? img.path;
  const unreadable = bad || broken;
  return (
    <li className={unreadable ? 'thumb is-bad' : 'thumb'} data-testid="dataset-thumb" data-path={img.path} title={img.path}>
      {url !== undefined && !broken ? (
        <img src={url} alt={img.label >= 0 ? `${file}: ${name}` : file} loading="lazy" decoding="async" onError={() => setBroken(true)} />
      ) : (
        <span className="thumb-missing">{unreadable ? '✗' : 'no preview'}</span>
      )}
      {/* Without a label, the file name says more than "unlabelled" on every tile. */}
      <span className={img.label >= 0 ? 'thumb-label' : 'thumb-label thumb-file'}>{unreadable ? 'unreadable' : img.label >= 0 ? name : file}</span>
    </li>
  );
}
